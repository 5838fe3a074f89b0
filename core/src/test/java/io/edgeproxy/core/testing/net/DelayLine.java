package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One direction of a {@link DelayRelay}: deliveries run in the order they were queued, each no sooner
 * than the fixed delay after it was queued, on one virtual thread owned by the line. Since the delay is
 * the same for all, queue order is due order. Queued bytes are capped: {@link #offer} refuses (datagrams
 * may be dropped), {@link #put} blocks (a byte stream pushes back on its sender). A delivery's
 * {@link IOException} goes to {@code onFailure} and the line carries on.
 */
final class DelayLine implements AutoCloseable {
  /** The action run when an entry is due; runs on the line's thread and may block. */
  interface Delivery {
    void deliver() throws IOException;
  }

  private record Entry(long dueNanos, int bytes, Delivery delivery) {}

  private final long delayNanos;
  private final long capacityBytes;
  private final Consumer<IOException> onFailure;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Entry> queue = new ArrayDeque<>(); // guarded by lock
  private long queuedBytes; // guarded by lock
  private boolean closed; // guarded by lock

  DelayLine(String name, Duration delay, long capacityBytes, Consumer<IOException> onFailure) {
    this.delayNanos = delay.toNanos();
    this.capacityBytes = capacityBytes;
    this.onFailure = onFailure;
    Thread.ofVirtual().name(name).start(this::run);
  }

  /** Queues {@code delivery} unless that would exceed the cap or the line is closed; never blocks. */
  boolean offer(int bytes, Delivery delivery) {
    lock.lock();
    try {
      if (closed || !fits(bytes)) {
        return false;
      }
      enqueue(bytes, delivery);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Queues {@code delivery}, waiting while the line is full; returns false if the line is closed. */
  boolean put(int bytes, Delivery delivery) throws InterruptedException {
    lock.lock();
    try {
      while (!closed && !fits(bytes)) {
        changed.await();
      }
      if (closed) {
        return false;
      }
      enqueue(bytes, delivery);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the line; queued deliveries are discarded. Does not wait for a delivery in progress. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean fits(int bytes) {
    return queuedBytes == 0 || queuedBytes + bytes <= capacityBytes; // an oversized entry alone still fits
  }

  private void enqueue(int bytes, Delivery delivery) {
    queue.addLast(new Entry(System.nanoTime() + delayNanos, bytes, delivery));
    queuedBytes += bytes;
    changed.signalAll();
  }

  private void run() {
    try {
      Entry entry;
      while ((entry = next()) != null) {
        try {
          entry.delivery().deliver();
        } catch (IOException e) {
          onFailure.accept(e);
        } finally {
          release(entry.bytes());
        }
      }
    } catch (InterruptedException e) {
      // Nobody interrupts the line's own thread; treat it as close.
    }
  }

  /** An entry's bytes count against the cap until its delivery has run, so a blocked sender waits for it. */
  private void release(int bytes) {
    lock.lock();
    try {
      queuedBytes -= bytes;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the head entry to fall due and removes it; null once closed. */
  private Entry next() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (closed) {
          return null;
        }
        Entry head = queue.peekFirst();
        long wait = head == null ? Long.MAX_VALUE : head.dueNanos() - System.nanoTime();
        if (head != null && wait <= 0) {
          queue.pollFirst();
          return head;
        }
        if (head == null) {
          changed.await();
        } else {
          changed.awaitNanos(wait);
        }
      }
    } finally {
      lock.unlock();
    }
  }
}
