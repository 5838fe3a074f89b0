package io.edgeproxy.tools.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.edgeproxy.tools.tls.CertificateSeal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WgKeyTest {
  private static final CertificateSeal SEAL = CertificateSeal.of(new byte[32], "a test key");

  @Test
  void theKeyIsMadeOnceKeptSealedOwnerOnlyAndItsPublicHalfIsWhatWgComputes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("routing.db.wg-key");
    WgKey made = WgKey.loadOrCreate(file, SEAL);
    WgKey again = WgKey.loadOrCreate(file, SEAL);
    assertThat(again.publicKey()).isEqualTo(made.publicKey());
    assertThat(String.valueOf(again.privateKeyText())).isEqualTo(String.valueOf(made.privateKeyText()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String stored = Files.readString(file);
    assertThat(stored).doesNotContain(String.valueOf(made.privateKeyText())).startsWith("v1:");
    assertThat(made.toString()).doesNotContain(String.valueOf(made.privateKeyText()));
    // The real tool agrees on the encoding: wg pubkey of our private key is our public key.
    assumeThat(Shell.onPath("wg")).as("wg (wireguard-tools) installed").isTrue();
    Shell.Ran pub = Shell.run(List.of("wg", "pubkey"), made.privateKeyText());
    assertThat(pub.output()).isEqualTo(made.publicKey());
  }

  @Test
  void aDamagedFileOrAnotherSealSaysSo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("routing.db.wg-key");
    WgKey.loadOrCreate(file, SEAL);
    assertThatThrownBy(() -> WgKey.loadOrCreate(file, CertificateSeal.of(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}, "k")))
        .hasMessageContaining("does not open with k");
    Files.writeString(file, "garbage\n");
    assertThatThrownBy(() -> WgKey.loadOrCreate(file, SEAL)).hasMessageContaining("is damaged (expected two lines");
  }
}
