package io.edgeproxy.core.testing.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Removes everything a lab run created, found by its run id alone, so the same code serves
 * {@link NetworkLab#close()} and the reaping of runs whose JVM died: processes inside the run's
 * namespaces (SIGKILL), the namespaces, the run's links (bridge and veths) and its root-namespace
 * FORWARD rule. Keeps going past failures and returns them. Blocks while commands run.
 */
final class LabTeardown {
  private LabTeardown() {}

  /** The comment on the run's rule in the root namespace's FORWARD chain. */
  static String forwardComment(String runId) {
    return "edgeproxy-netlab-" + runId;
  }

  /** Removes all of run {@code runId}; returns one line per step that failed (empty when all went well). */
  static List<String> removeAll(String runId) {
    List<String> failures = new ArrayList<>();
    List<String> namespaces = listOrEmpty(failures, "list namespaces", () -> namespaces(runId));
    for (String ns : namespaces) {
      attempt(failures, "kill processes in " + ns, () -> killAllIn(ns));
    }
    for (String ns : namespaces) {
      attempt(failures, "delete namespace " + ns, () -> Shell.run(List.of("ip", "netns", "delete", ns)));
    }
    for (String link : listOrEmpty(failures, "list links", () -> links(runId))) {
      attempt(failures, "delete link " + link, () -> deleteLink(link));
    }
    attempt(failures, "remove FORWARD rule", () -> removeForwardRules(runId));
    return failures;
  }

  static List<String> namespaces(String runId) {
    return Shell.run(List.of("ip", "netns", "list")).lines()
        .map(line -> line.strip().split("\\s+")[0])
        .filter(name -> name.startsWith(runId + "-"))
        .toList();
  }

  private static List<String> links(String runId) {
    return Shell.run(List.of("ip", "-o", "link", "show")).lines()
        .map(line -> line.split(":\\s+", 3))
        .filter(parts -> parts.length >= 2)
        .map(parts -> parts[1].split("@")[0])
        .filter(name -> name.startsWith(runId))
        .toList();
  }

  private static Void killAllIn(String namespace) throws Exception {
    List<ProcessHandle> handles = Shell.run(List.of("ip", "netns", "pids", namespace)).lines()
        .filter(line -> !line.isBlank())
        .flatMap(line -> ProcessHandle.of(Long.parseLong(line.strip())).stream())
        .toList();
    handles.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : handles) {
      handle.onExit().get(10, TimeUnit.SECONDS);
    }
    return null;
  }

  private static Void deleteLink(String link) {
    try {
      Shell.run(List.of("ip", "link", "delete", link));
    } catch (NetworkLabException e) {
      // A veth goes away with its peer's namespace, possibly between listing and deleting.
      if (!e.getMessage().contains("Cannot find device")) {
        throw e;
      }
    }
    return null;
  }

  private static Void removeForwardRules(String runId) {
    String comment = forwardComment(runId);
    for (String rule : Shell.run(List.of("iptables", "-w", "-S", "FORWARD")).lines().toList()) {
      List<String> words = Arrays.asList(rule.strip().split("\\s+"));
      if (words.size() > 2 && words.get(0).equals("-A") && words.contains(comment)) {
        List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-D"));
        delete.addAll(words.subList(1, words.size()));
        Shell.run(delete);
      }
    }
    return null;
  }

  private interface Step<T> {
    T run() throws Exception;
  }

  private static <T> List<T> listOrEmpty(List<String> failures, String what, Step<List<T>> step) {
    try {
      return step.run();
    } catch (Exception e) {
      failures.add(what + ": " + e.getMessage());
      return List.of();
    }
  }

  private static void attempt(List<String> failures, String what, Step<?> step) {
    try {
      step.run();
    } catch (Exception e) {
      failures.add(what + ": " + e.getMessage());
    }
  }
}
