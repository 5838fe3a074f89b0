package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before a {@link NetworkLab} touches anything, that this machine can host one: root, the
 * {@code ip} command with {@code ip netns} (Debian package iproute2) and a working {@code iptables}
 * (Debian package iptables) with its filter and nat tables. Fails with a message naming what is missing;
 * never skips. Blocks while the checks run (a few short commands).
 */
final class LabPreflight {
  private LabPreflight() {}

  static void check() {
    int uid = effectiveUid();
    if (uid != 0) {
      throw new NetworkLabException("NetworkLab needs root (it creates network namespaces, veth links and "
          + "iptables rules); this JVM runs as uid " + uid);
    }
    require(List.of("ip", "-V"), "the ip command is missing: install the Debian package iproute2");
    require(List.of("ip", "netns", "list"), "ip netns does not work: install a current iproute2 (Debian package"
        + " iproute2) and run on a kernel with network namespaces");
    require(List.of("iptables", "-V"), "the iptables command is missing: install the Debian package iptables");
    require(List.of("iptables", "-w", "-S"), "iptables cannot read the filter table: install the Debian"
        + " package iptables and check that the kernel has nf_tables or ip_tables");
    require(List.of("iptables", "-w", "-t", "nat", "-S"), "iptables cannot read the nat table (needed by "
        + "NetworkLab.redirect): install the Debian package iptables and check the kernel's NAT support");
  }

  private static void require(List<String> command, String whatIsMissing) {
    try {
      Shell.run(command);
    } catch (NetworkLabException e) {
      String detail = e.getCause() instanceof IOException ? "" : "\n" + e.getMessage();
      throw new NetworkLabException(whatIsMissing + detail, e);
    }
  }

  private static int effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new NetworkLabException("NetworkLab runs on Linux only: cannot read /proc/self/status", e);
    }
    throw new NetworkLabException("NetworkLab runs on Linux only: no Uid line in /proc/self/status");
  }
}
