package io.edgeproxy.replication.cluster;

import io.scalecube.cluster.transport.api.Message;
import io.scalecube.cluster.transport.api.MessageCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ScaleCube's wire codec wrapped in AES-256-GCM: every gossip, ping and membership message is
 * encrypted and authenticated with a key derived from the shared cluster key and the cluster
 * name, as Consul's gossip key does for Serf. A message from a node without the key, or of another
 * cluster, fails authentication and is dropped before ScaleCube sees it; nothing is decoded from it.
 *
 * <p>Frame: {@code 'E' 'G' 1} (magic and version), 12-byte random nonce, ciphertext with its 16-byte tag.
 */
public final class SealedMessageCodec implements MessageCodec {
  private static final byte[] MAGIC = {'E', 'G', 1};
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MessageCodec inner;
  private final SecretKeySpec key;
  private final LongAdder rejected = new LongAdder();
  /**
   * One cipher per thread, initialised afresh for every message: {@code Cipher.getInstance} looks
   * the provider up each time, and was most of a gossip thread's work.
   */
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM unavailable", e);
    }
  });

  public SealedMessageCodec(MessageCodec inner, byte[] clusterKey, String clusterName) {
    this.inner = inner;
    this.key = new SecretKeySpec(deriveKey(clusterKey, clusterName), "AES");
  }

  static byte[] deriveKey(byte[] clusterKey, String clusterName) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("edgeproxy gossip v1\0".getBytes(StandardCharsets.US_ASCII));
      sha.update(clusterName.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(clusterKey);
      return sha.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  @Override
  public void serialize(Message message, OutputStream out) throws Exception {
    ByteArrayOutputStream plain = new ByteArrayOutputStream(256);
    inner.serialize(message, plain);
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    Cipher cipher = CIPHERS.get();
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(MAGIC);
    out.write(MAGIC);
    out.write(nonce);
    out.write(cipher.doFinal(plain.toByteArray()));
  }

  @Override
  public Message deserialize(InputStream in) throws Exception {
    byte[] frame = in.readAllBytes();
    if (frame.length < MAGIC.length + NONCE + TAG_BITS / 8
        || frame[0] != MAGIC[0] || frame[1] != MAGIC[1] || frame[2] != MAGIC[2]) {
      rejected.increment();
      throw new GossipRejectedException("gossip message without the edgeproxy seal (a plain ScaleCube node, or not gossip at all)");
    }
    Cipher cipher = CIPHERS.get();
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, frame, MAGIC.length, NONCE));
    cipher.updateAAD(MAGIC);
    byte[] plain;
    try {
      plain = cipher.doFinal(frame, MAGIC.length + NONCE, frame.length - MAGIC.length - NONCE);
    } catch (GeneralSecurityException e) {
      rejected.increment();
      throw new GossipRejectedException("gossip message failed authentication (another cluster, or a wrong cluster key)");
    }
    return inner.deserialize(new ByteArrayInputStream(plain));
  }

  /** Messages dropped because they were not sealed with this cluster's key. */
  public long rejectedTotal() {
    return rejected.sum();
  }

  /** A gossip message that is not ours; ScaleCube drops it. */
  public static final class GossipRejectedException extends IOException {
    GossipRejectedException(String message) {
      super(message);
    }
  }
}
