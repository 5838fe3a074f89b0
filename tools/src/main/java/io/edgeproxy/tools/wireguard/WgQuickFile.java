package io.edgeproxy.tools.wireguard;

import io.edgeproxy.core.config.WireGuardConfig;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;

/** This POP's end of the mesh as a {@code wg-quick} file: what the agent itself would set up. */
public final class WgQuickFile {
  private WgQuickFile() {}

  /** A file, and the rows left out of it with why. */
  public record Rendered(String text, Map<String, String> leftOut) {}

  /**
   * The file for this POP ({@code key}'s) from the rows of {@code wireguard_peers}: every other POP
   * whose row the agents would make a peer ({@link WgPeerChoice}; every row counts as up, there is
   * no membership here).
   */
  public static Rendered fromRows(WireGuardConfig config, WgKey key, Map<String, String> rows, X509Certificate ca, long nowMs) {
    String self = "";
    for (var row : rows.entrySet()) {
      if (WgAnnouncement.check(row.getKey(), row.getValue(), ca, nowMs) instanceof WgAnnouncement.Valid v
          && v.announcement().publicKey().equals(key.publicKey())) {
        self = row.getKey();
      }
    }
    WgPeerChoice.Choice choice = new WgPeerChoice(self, key.publicKey(), config, ca).choose(rows, rows.keySet(), nowMs);
    return new Rendered(render(config, key, choice.peers()), choice.rejected());
  }

  /** The file for {@code config} with {@code key}, and one {@code [Peer]} per other POP in {@code peers} (by node id). */
  static String render(WireGuardConfig config, WgKey key, Map<String, WgAnnouncement> peers) {
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
      b.append("AllowedIPs = ").append(String.join(", ", WgPeerChoice.allowedIps(a))).append('\n');
      b.append("PersistentKeepalive = 25\n");
    }
    return b.toString();
  }
}
