package io.edgeproxy.core.testing.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lab's iptables rules inside one host's namespace. Each fault kind has its own chain, so clearing a
 * kind is a flush and kinds never interfere. Cuts and loss act on INPUT only, at the receiving end: a
 * DROP in OUTPUT would fail the sender's own {@code sendmsg} with EPERM, which no real network does.
 * Rules that carry a parameter (loss probability, redirect target) are remembered here so they can be
 * deleted exactly. Methods block while iptables runs; they are synchronized per host.
 */
final class HostFirewall {
  private static final String ISOLATE_SELF = "EP-ISOLATE-SELF";
  private static final String ISOLATE_PEERS = "EP-ISOLATE-PEERS";
  private static final String PARTITION = "EP-PARTITION";
  private static final String LOSS = "EP-LOSS";
  private static final String REDIRECT = "EP-REDIRECT";
  private static final String CHAINS = """
      *filter
      :EP-ISOLATE-SELF - [0:0]
      :EP-ISOLATE-PEERS - [0:0]
      :EP-PARTITION - [0:0]
      :EP-LOSS - [0:0]
      -A INPUT -j EP-ISOLATE-SELF
      -A INPUT -j EP-ISOLATE-PEERS
      -A INPUT -j EP-PARTITION
      -A INPUT -j EP-LOSS
      COMMIT
      *nat
      :EP-REDIRECT - [0:0]
      -A OUTPUT -j EP-REDIRECT
      COMMIT
      """;

  private final String namespace;
  private final Map<InetAddress, List<String>> lossRules = new HashMap<>();
  private final Map<String, List<String>> redirectRules = new HashMap<>();

  HostFirewall(String namespace) {
    this.namespace = namespace;
  }

  /** Creates the lab's chains; once, right after the namespace. */
  synchronized void install() {
    Shell.run(List.of("ip", "netns", "exec", namespace, "iptables-restore", "-w", "--noflush"), CHAINS);
  }

  /** Drops everything arriving from {@code peer}; idempotent. */
  synchronized void partitionFrom(InetAddress peer) {
    add("filter", PARTITION, partitionRule(peer));
  }

  synchronized void healFrom(InetAddress peer) {
    delete("filter", PARTITION, partitionRule(peer));
  }

  synchronized void healAll() {
    flush("filter", PARTITION);
  }

  /** Drops each packet arriving from {@code peer} with {@code probability}; replaces an earlier loss rule. */
  synchronized void loseFrom(InetAddress peer, double probability) {
    clearLossFrom(peer);
    List<String> rule = List.of("-s", hostCidr(peer), "-m", "statistic", "--mode", "random", "--probability",
        String.format(Locale.ROOT, "%.6f", probability), "-m", "comment", "--comment", "loss", "-j", "DROP");
    add("filter", LOSS, rule);
    lossRules.put(peer, rule);
  }

  synchronized void clearLossFrom(InetAddress peer) {
    List<String> rule = lossRules.remove(peer);
    if (rule != null) {
      delete("filter", LOSS, rule);
    }
  }

  synchronized void clearAllLoss() {
    flush("filter", LOSS);
    lossRules.clear();
  }

  /** Drops what arrives from {@code subnet}, except from {@code gateway} and from itself (via lo). */
  synchronized void isolateSelf(Subnet subnet, InetAddress gateway) {
    rejoinSelf();
    add("filter", ISOLATE_SELF, List.of("-i", "lo", "-j", "RETURN"));
    add("filter", ISOLATE_SELF, List.of("-s", hostCidr(gateway), "-j", "RETURN"));
    add("filter", ISOLATE_SELF, List.of("-s", subnet.cidr(), "-m", "comment", "--comment", "isolate", "-j", "DROP"));
  }

  synchronized void rejoinSelf() {
    flush("filter", ISOLATE_SELF);
  }

  /** Drops what arrives from {@code isolated}, another host that is isolated; idempotent. */
  synchronized void cutIsolatedPeer(InetAddress isolated) {
    add("filter", ISOLATE_PEERS, isolatedPeerRule(isolated));
  }

  synchronized void uncutIsolatedPeer(InetAddress isolated) {
    delete("filter", ISOLATE_PEERS, isolatedPeerRule(isolated));
  }

  synchronized void clearIsolation() {
    flush("filter", ISOLATE_SELF);
    flush("filter", ISOLATE_PEERS);
  }

  /** DNATs new flows this host sends to {@code original} over {@code protocol} to {@code via}. */
  synchronized void redirect(Protocol protocol, InetSocketAddress original, InetSocketAddress via) {
    String key = protocol + " " + original;
    List<String> previous = redirectRules.remove(key);
    if (previous != null) {
      delete("nat", REDIRECT, previous);
    }
    List<String> rule = List.of("-p", protocol.iptablesName(), "-d", hostCidr(original.getAddress()),
        "--dport", Integer.toString(original.getPort()), "-m", "comment", "--comment", "redirect",
        "-j", "DNAT", "--to-destination", via.getAddress().getHostAddress() + ":" + via.getPort());
    add("nat", REDIRECT, rule);
    redirectRules.put(key, rule);
  }

  synchronized void clearRedirects() {
    flush("nat", REDIRECT);
    redirectRules.clear();
  }

  private static List<String> partitionRule(InetAddress peer) {
    return List.of("-s", hostCidr(peer), "-m", "comment", "--comment", "partition", "-j", "DROP");
  }

  private static List<String> isolatedPeerRule(InetAddress isolated) {
    return List.of("-s", hostCidr(isolated), "-m", "comment", "--comment", "isolate", "-j", "DROP");
  }

  private void add(String table, String chain, List<String> rule) {
    if (!Shell.check(iptables(table, "-C", chain, rule))) {
      Shell.run(iptables(table, "-A", chain, rule));
    }
  }

  private void delete(String table, String chain, List<String> rule) {
    while (Shell.check(iptables(table, "-C", chain, rule))) {
      Shell.run(iptables(table, "-D", chain, rule));
    }
  }

  private void flush(String table, String chain) {
    Shell.run(iptables(table, "-F", chain, List.of()));
  }

  private List<String> iptables(String table, String operation, String chain, List<String> rule) {
    List<String> command = new ArrayList<>(
        List.of("ip", "netns", "exec", namespace, "iptables", "-w", "-t", table, operation, chain));
    command.addAll(rule);
    return command;
  }

  private static String hostCidr(InetAddress address) {
    return address.getHostAddress() + "/32";
  }
}
