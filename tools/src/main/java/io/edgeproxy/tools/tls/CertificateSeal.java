package io.edgeproxy.tools.tls;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.ReplicationConfig;
import io.edgeproxy.replication.tls.NodeCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the private keys of certificates kept in routing.db, so the file (and every copy,
 * backup and replication frame) never holds a key in clear. AES-256-GCM under a key derived
 * (SHA-256 with a purpose label) from the cluster key, or on a POP without replication from a
 * local key file beside routing.db ({@code routing.db.seal-key}, 0600, made on first use). The
 * hostname is the additional authenticated data: a sealed key moved to another row does not open.
 * Format: {@code v1:} + base64(12-byte nonce | ciphertext and tag of the PKCS#8 key).
 */
public final class CertificateSeal {
  private static final String PREFIX = "v1:";
  private static final byte[] PURPOSE = "edgeproxy certificate keys v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final byte[] TICKETS = "edgeproxy session tickets v1\0".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;
  private final byte[] ticketMaster;
  private final String source;

  private CertificateSeal(byte[] secret, String source) {
    try {
      this.key = new SecretKeySpec(sha256(PURPOSE, secret), "AES");
      this.ticketMaster = sha256(TICKETS, secret);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    this.source = source;
  }

  private static byte[] sha256(byte[] label, byte[] secret) throws GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(label);
    sha.update(secret);
    return sha.digest();
  }

  /**
   * 48 bytes of TLS session-ticket key material for {@code epoch} (name, HMAC key and AES key, 16
   * each, as OpenSSL wants them), the same on every POP that shares the secret: a client resumes its
   * session at any POP of the cluster. Derived, never stored.
   */
  public byte[] ticketKey(long epoch) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(ticketMaster, "HmacSHA256"));
      byte[] out = new byte[48];
      for (int block = 0; block < 2; block++) {
        mac.update(java.nio.ByteBuffer.allocate(9).putLong(epoch).put((byte) block).array());
        byte[] part = mac.doFinal();
        System.arraycopy(part, 0, out, block * 32, Math.min(32, out.length - block * 32));
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A seal under {@code secret} (at least 32 bytes); {@code source} says where it came from, for messages. */
  public static CertificateSeal of(byte[] secret, String source) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("a seal key needs at least 32 bytes, got " + secret.length);
    }
    return new CertificateSeal(secret.clone(), source);
  }

  /**
   * The seal this node uses: the cluster key when replication is on, else the local key file
   * beside routing.db (made now if missing).
   *
   * @throws IllegalArgumentException when the cluster key cannot be read
   * @throws UncheckedIOException when the local key file cannot be read or made
   */
  public static CertificateSeal forNode(EdgeConfig config) {
    ReplicationConfig replication = config.replication();
    if (replication != null && (replication.clusterKey() != null || replication.tlsDir() != null)) {
      Path dir = replication.tlsDir() == null ? Path.of(".") : replication.tlsDir();
      return new CertificateSeal(NodeCredentials.clusterKey(dir, replication.clusterKey()), "the cluster key");
    }
    Path file = config.node().dbPath().resolveSibling(config.node().dbPath().getFileName() + ".seal-key");
    return new CertificateSeal(localKey(file), file.toString());
  }

  private static byte[] localKey(Path file) {
    try {
      if (!Files.exists(file)) {
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        try {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException raced) {
          // another process made it first: read theirs
        }
      }
      byte[] secret = Base64.getDecoder().decode(Files.readString(file).trim());
      if (secret.length < 32) {
        throw new IllegalArgumentException(file + " holds " + secret.length + " bytes (expected: 32 bytes in base64)");
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or make the seal key " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A short public fingerprint of the seal key (16 hex digits of a hash under its own label): two
   * processes sealing with the same key show the same id; the id reveals nothing of the key.
   */
  public String id() {
    try {
      byte[] hash = sha256("edgeproxy seal id v1\0".getBytes(StandardCharsets.US_ASCII), key.getEncoded());
      return java.util.HexFormat.of().formatHex(hash, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the seal key came from (never the key). */
  public String source() {
    return source;
  }

  /** {@code privateKey} sealed for the row of {@code hostname}. */
  public String seal(String hostname, PrivateKey privateKey) {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    byte[] plain = privateKey.getEncoded();
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(hostname.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plain);
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * The key sealed in the row of {@code hostname}.
   *
   * @throws IllegalArgumentException saying why it does not open (never any key material)
   */
  public PrivateKey unseal(String hostname, String sealed) {
    if (!sealed.startsWith(PREFIX)) {
      throw new IllegalArgumentException("key_sealed is not in the v1 format (expected: what edgeproxy tls add writes)");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key_sealed is not base64 after 'v1:'");
    }
    if (raw.length < 12 + 16 + 1) {
      throw new IllegalArgumentException("key_sealed is too short (" + raw.length + " bytes) to hold a key");
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 0, 12));
      cipher.updateAAD(hostname.getBytes(StandardCharsets.UTF_8));
      plain = cipher.doFinal(raw, 12, raw.length - 12);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("key_sealed does not open with " + source
          + " (sealed under another key, for another hostname, or damaged)");
    }
    try {
      for (String algorithm : List.of("EC", "RSA", "Ed25519", "X25519")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(plain));
        } catch (GeneralSecurityException e) {
          // try the next kind
        }
      }
      throw new IllegalArgumentException("key_sealed opens but holds no EC, RSA, Ed25519 or X25519 private key");
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }
}
