package io.edgeproxy.core.testing.net;

import java.util.List;

/**
 * A JVM that owns a lab and then waits to be killed, for {@link NetworkLabCleanupIT}: creates a lab with
 * one host running {@code sleep}, prints "{@code <runId> <sleepPid>}" and blocks until stdin ends.
 */
public final class LabOwnerMain {
  private LabOwnerMain() {}

  public static void main(String[] args) throws Exception {
    NetworkLab lab = NetworkLab.create();
    Host host = lab.addHost("owner");
    Process sleeper = host.start(List.of("sleep", "600"));
    System.out.println(lab.runId() + " " + sleeper.pid());
    System.out.flush();
    System.in.readAllBytes();
    lab.close();
  }
}
