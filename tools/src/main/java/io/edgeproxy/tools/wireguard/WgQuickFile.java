package io.edgeproxy.tools.wireguard;

import io.edgeproxy.core.config.WireGuardConfig;
import io.edgeproxy.core.geo.IpNetwork;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** This POP's end of the mesh as a {@code wg-quick} file: what the agent itself would set up. */
public final class WgQuickFile {
  private WgQuickFile() {}

  /** The file for {@code config} with {@code key}, and one {@code [Peer]} per other POP in {@code peers} (by node id). */
  public static String render(WireGuardConfig config, WgKey key, Map<String, WgAnnouncement> peers) {
    StringBuilder b = new StringBuilder();
    b.append("# edgeproxy WireGuard mesh: interface ").append(config.interfaceName()).append(", made by 'edgeproxy wireguard config'\n");
    b.append("[Interface]\n");
    char[] privateKey = key.privateKeyText();
    try {
      b.append("PrivateKey = ").append(privateKey).append('\n');
    } finally {
      Arrays.fill(privateKey, '\0');
    }
    b.append("# PublicKey = ").append(key.publicKey()).append('\n');
    b.append("Address = ").append(config.addressWithPrefix()).append('\n');
    b.append("ListenPort = ").append(config.listenPort()).append('\n');
    b.append("MTU = ").append(WgDevice.MTU).append('\n');
    for (var peer : peers.entrySet()) {
      WgAnnouncement a = peer.getValue();
      b.append('\n').append("[Peer]\n").append("# ").append(peer.getKey()).append('\n');
      b.append("PublicKey = ").append(a.publicKey()).append('\n');
      b.append("Endpoint = ").append(a.endpoint()).append('\n');
      b.append("AllowedIPs = ").append(String.join(", ", allowedIps(a))).append('\n');
      b.append("PersistentKeepalive = 25\n");
    }
    return b.toString();
  }

  /** The peer's overlay address as a host route, then the subnets it routes. */
  static Set<String> allowedIps(WgAnnouncement a) {
    Set<String> out = new LinkedHashSet<>();
    out.add(a.hostRoute());
    a.subnets().stream().map(IpNetwork::toString).forEach(out::add);
    return out;
  }
}
