package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.replication.wire.Hello;
import org.junit.jupiter.api.Test;

class HandshakeTest {
  private static Hello.Builder hello() {
    return Hello.newBuilder().setCluster("prod").setNodeId("pop-b").setMinProtocol(2).setMaxProtocol(2);
  }

  @Test
  void theHighestVersionBothSpeakIsUsed() {
    assertThat(Handshake.check(hello().build(), 2, "prod", "pop-b")).isEqualTo(new Handshake.Verdict.Accepted(2));
    // A later build speaking 2-3 still talks to this one, in 2.
    assertThat(Handshake.check(hello().setMaxProtocol(3).build(), 3, "prod", "pop-b")).isEqualTo(new Handshake.Verdict.Accepted(2));
  }

  @Test
  void aVersionOnePeerIsToldToUpgrade() {
    Hello v1 = Hello.newBuilder().setCluster("prod").setNodeId("pop-b").build(); // no range: only its envelope's version
    assertThat(Handshake.refusal(Handshake.check(v1, 1, "prod", "pop-b")))
        .isEqualTo("node 'pop-b' speaks replication protocol 1, this POP speaks 2 (expected: a version in common;"
            + " upgrade the older POP)");
  }

  @Test
  void anotherClusterOrAnIdentityOtherThanTheCertificatesIsRefused() {
    assertThat(Handshake.refusal(Handshake.check(hello().build(), 2, "staging", "pop-b"))).contains("cluster 'prod'");
    assertThat(Handshake.refusal(Handshake.check(hello().build(), 2, "prod", "pop-c")))
        .contains("Hello from node 'pop-b' over a connection authenticated as 'pop-c'");
  }
}
