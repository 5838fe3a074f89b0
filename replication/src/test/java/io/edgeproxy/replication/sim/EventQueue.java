package io.edgeproxy.replication.sim;

import java.util.PriorityQueue;

/**
 * Virtual time: events run in time order (ties in the order they were scheduled), one at a time,
 * on the test's thread. Nothing real waits: a run of minutes takes as long as its work does.
 */
final class EventQueue {
  private record Event(long at, long seq, Runnable task) {}

  private final PriorityQueue<Event> events =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;
  private long ran;
  private Runnable afterEach = () -> { };

  EventQueue(long start) {
    this.now = start;
  }

  /** Runs {@code hook} after every event (tracing a replay). */
  void afterEach(Runnable hook) {
    afterEach = hook;
  }

  long now() {
    return now;
  }

  long eventsRun() {
    return ran;
  }

  void at(long time, Runnable task) {
    events.add(new Event(Math.max(time, now), seq++, task));
  }

  void after(long delayMillis, Runnable task) {
    at(now + Math.max(0, delayMillis), task);
  }

  /** Runs every event due up to {@code until}, then sets the time to it. */
  void runUntil(long until) {
    while (!events.isEmpty() && events.peek().at() <= until) {
      Event e = events.poll();
      now = e.at();
      ran++;
      e.task().run();
      afterEach.run();
    }
    now = Math.max(now, until);
  }
}
