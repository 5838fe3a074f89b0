package io.edgeproxy.tools.wireguard;

import io.edgeproxy.tools.tls.CertificateSeal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * This POP's WireGuard key pair (Curve25519), kept beside routing.db in {@code routing.db.wg-key}
 * (0600): the private key sealed as certificate keys are (never in clear, never replicated, never
 * logged), then the public key as WireGuard writes it (32 bytes in base64). Made on first start.
 */
public final class WgKey {
  private static final String LABEL = "wireguard";

  private final PrivateKey privateKey;
  private final String publicKey;

  private WgKey(PrivateKey privateKey, String publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** The key in {@code file}, or a new one written there. */
  public static WgKey loadOrCreate(Path file, CertificateSeal seal) {
    try {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.size() < 2 || !isPublicKey(lines.get(1))) {
          throw new IllegalStateException(file + " is damaged (expected two lines: the sealed private key, the public key in"
              + " base64); remove it to make a new key pair (every POP picks up the new public key by itself)");
        }
        return new WgKey(seal.unseal(LABEL, lines.get(0)), lines.get(1));
      }
      KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      String publicKey = Base64.getEncoder().encodeToString(littleEndian(((XECPublicKey) pair.getPublic()).getU()));
      String text = seal.seal(LABEL, pair.getPrivate()) + "\n" + publicKey + "\n";
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return new WgKey(pair.getPrivate(), publicKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the WireGuard key " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot open the WireGuard key " + file + ": " + e.getMessage(), e);
    }
  }

  /** The public key, 32 bytes in base64, as {@code wg} shows it. */
  public String publicKey() {
    return publicKey;
  }

  /**
   * The private key as {@code wg set ... private-key} reads it (32 bytes in base64). Only for
   * handing to the interface or to an operator's own config file; never logged.
   */
  public char[] privateKeyText() {
    byte[] scalar = ((XECPrivateKey) privateKey).getScalar().orElseThrow();
    try {
      byte[] text = Base64.getEncoder().encode(scalar);
      char[] out = new char[text.length];
      for (int i = 0; i < text.length; i++) {
        out[i] = (char) text[i];
      }
      Arrays.fill(text, (byte) 0);
      return out;
    } finally {
      Arrays.fill(scalar, (byte) 0);
    }
  }

  /** True for 32 bytes in base64 (44 characters), the form of every WireGuard key. */
  static boolean isPublicKey(String text) {
    if (text.length() != 44) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(text).length == 32;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A Curve25519 u-coordinate as its 32 little-endian bytes (RFC 7748). */
  private static byte[] littleEndian(BigInteger u) {
    byte[] big = u.toByteArray();
    byte[] out = new byte[32];
    for (int i = 0; i < out.length && i < big.length; i++) {
      out[i] = big[big.length - 1 - i];
    }
    return out;
  }

  @Override
  public String toString() {
    return "WgKey[public " + publicKey + ", private <redacted>]";
  }
}
