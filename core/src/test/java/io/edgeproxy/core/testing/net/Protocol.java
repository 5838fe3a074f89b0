package io.edgeproxy.core.testing.net;

/** The transport a {@link NetworkLab#redirect redirect} applies to. */
public enum Protocol {
  TCP,
  UDP;

  /** The name iptables' {@code -p} takes. */
  String iptablesName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
