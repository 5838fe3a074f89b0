package io.edgeproxy.core.testing.net;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes a lab's hosts started, so that {@link NetworkLab#close()} can SIGKILL whatever still runs
 * (with its descendants) before deleting namespaces. Thread-safe; {@link #killAll()} blocks until the
 * processes are gone (at most 10 s each).
 */
final class TrackedProcesses {
  private final List<Process> processes = new ArrayList<>();
  private boolean closed;

  /** Adds {@code process}; if the lab is already closed, kills it and throws. */
  synchronized Process track(Process process) {
    if (closed) {
      kill(process);
      throw new IllegalStateException("lab is closed; killed " + process.pid());
    }
    processes.removeIf(p -> !p.isAlive());
    processes.add(process);
    return process;
  }

  /** Kills every tracked process; returns one line per process that would not die. */
  List<String> killAll() {
    List<Process> toKill;
    synchronized (this) {
      closed = true;
      toKill = List.copyOf(processes);
      processes.clear();
    }
    List<String> failures = new ArrayList<>();
    for (Process process : toKill) {
      if (!kill(process)) {
        failures.add("process " + process.pid() + " did not exit after SIGKILL");
      }
    }
    return failures;
  }

  private static boolean kill(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      return process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
