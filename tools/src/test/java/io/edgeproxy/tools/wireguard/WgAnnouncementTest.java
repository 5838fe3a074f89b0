package io.edgeproxy.tools.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.geo.IpNetwork;
import io.edgeproxy.replication.tls.ClusterPki;
import java.util.List;
import org.junit.jupiter.api.Test;

class WgAnnouncementTest {
  private static final ClusterPki.Identity CA = ClusterPki.newCa("test");
  private static final ClusterPki.Identity POP_1 = ClusterPki.issue(CA, "pop-1");
  private static final String KEY = "EPyD3tYqxW8ybzFjPOFCx4rhg5JdpYEQRnyMTbs371M=";
  private static final WgAnnouncement A = new WgAnnouncement("pop-1", KEY, "10.0.0.1:51820", "10.50.0.1/16",
      List.of(IpNetwork.parse("10.60.1.0/24").orElseThrow(), IpNetwork.parse("fdaa:0:1::/48").orElseThrow()), 1_765_000_000_000L);
  private static final long NOW = System.currentTimeMillis();

  @Test
  void aSignedAnnouncementChecksOutAndReadsBackWhole() {
    String text = A.sign(POP_1.certificate(), POP_1.key());
    assertThat(WgAnnouncement.check("pop-1", text, CA.certificate(), NOW)).isEqualTo(new WgAnnouncement.Valid(A));
    assertThat(A.hostRoute()).isEqualTo("10.50.0.1/32");
  }

  @Test
  void anyChangedByteBreaksTheSignature() {
    String text = A.sign(POP_1.certificate(), POP_1.key());
    String moved = text.replace("endpoint 10.0.0.1:51820", "endpoint 10.6.6.6:51820");
    assertThat(WgAnnouncement.check("pop-1", moved, CA.certificate(), NOW))
        .isEqualTo(new WgAnnouncement.Invalid("its signature does not match its content"));
    String otherKey = text.replace(KEY, "CPlTaPZDU4Jknm//6PES/cgSpInsMHtuoOoC6HqN700=");
    assertThat(WgAnnouncement.check("pop-1", otherKey, CA.certificate(), NOW)).isInstanceOf(WgAnnouncement.Invalid.class);
  }

  @Test
  void aCertificateFromAnotherCaOrForAnotherNodeIsRefused() {
    ClusterPki.Identity otherCa = ClusterPki.newCa("forged");
    ClusterPki.Identity forged = ClusterPki.issue(otherCa, "pop-1");
    WgAnnouncement.Checked fromOther = WgAnnouncement.check("pop-1", A.sign(forged.certificate(), forged.key()), CA.certificate(), NOW);
    assertThat(fromOther).isInstanceOfSatisfying(WgAnnouncement.Invalid.class,
        i -> assertThat(i.reason()).startsWith("its certificate is not one of this cluster's CA"));
    // pop-2's own certificate, signing an announcement that claims to be pop-1 (in pop-1's row, or in its own)
    ClusterPki.Identity pop2 = ClusterPki.issue(CA, "pop-2");
    String claimsPop1 = A.sign(pop2.certificate(), pop2.key());
    assertThat(WgAnnouncement.check("pop-1", claimsPop1, CA.certificate(), NOW))
        .isEqualTo(new WgAnnouncement.Invalid("its certificate is for pop-2, not pop-1"));
    assertThat(WgAnnouncement.check("pop-2", claimsPop1, CA.certificate(), NOW))
        .isEqualTo(new WgAnnouncement.Invalid("it names node pop-1 in the row of pop-2"));
  }

  @Test
  void rowsWrittenByHandSayWhatIsWrong() {
    assertThat(WgAnnouncement.check("pop-1", "hello", CA.certificate(), NOW)).isInstanceOfSatisfying(WgAnnouncement.Invalid.class,
        i -> assertThat(i.reason()).startsWith("not an announcement (expected: \"edgeproxy-wireguard 1\""));
    assertThat(WgAnnouncement.check("pop-1", "x".repeat(40_000), CA.certificate(), NOW))
        .isEqualTo(new WgAnnouncement.Invalid("the announcement has 40000 characters (expected: at most 32768)"));
    WgAnnouncement badKey = new WgAnnouncement("pop-1", "not-a-key", "10.0.0.1:51820", "10.50.0.1/16", List.of(), 1);
    assertThat(WgAnnouncement.check("pop-1", badKey.sign(POP_1.certificate(), POP_1.key()), CA.certificate(), NOW))
        .isEqualTo(new WgAnnouncement.Invalid("public-key is not a WireGuard key (expected: 32 bytes in base64)"));
    WgAnnouncement badAddress = new WgAnnouncement("pop-1", KEY, "10.0.0.1:51820", "10.50.0.1", List.of(), 1);
    assertThat(WgAnnouncement.check("pop-1", badAddress.sign(POP_1.certificate(), POP_1.key()), CA.certificate(), NOW))
        .isEqualTo(new WgAnnouncement.Invalid("address \"10.50.0.1\" is not an address with a prefix"));
  }
}
