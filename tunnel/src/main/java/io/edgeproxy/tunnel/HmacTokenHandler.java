package io.edgeproxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * QUIC address validation (RFC 9000 section 8.1) with retry tokens that cannot be forged: the
 * token is an HMAC-SHA256 of the client's address and connection id under a per-process key,
 * followed by the connection id. A client that cannot receive at its claimed address never gets a
 * valid token, so the listener cannot be used to reflect traffic at a third party.
 */
public final class HmacTokenHandler implements QuicTokenHandler {
  private static final int MAC_LENGTH = 16;
  private static final int MAX_CID = 20; // RFC 9000: connection ids are at most 20 bytes

  private final SecretKeySpec key;

  public HmacTokenHandler() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  @Override
  public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
    byte[] id = new byte[dcid.readableBytes()];
    dcid.getBytes(dcid.readerIndex(), id);
    out.writeBytes(mac(address, id));
    out.writeBytes(id);
    return true;
  }

  @Override
  public int validateToken(ByteBuf token, InetSocketAddress address) {
    int length = token.readableBytes();
    if (length <= MAC_LENGTH || length > MAC_LENGTH + MAX_CID) {
      return -1;
    }
    byte[] presented = new byte[MAC_LENGTH];
    token.getBytes(token.readerIndex(), presented);
    byte[] id = new byte[length - MAC_LENGTH];
    token.getBytes(token.readerIndex() + MAC_LENGTH, id);
    return MessageDigest.isEqual(presented, mac(address, id)) ? MAC_LENGTH : -1;
  }

  @Override
  public int maxTokenLength() {
    return MAC_LENGTH + MAX_CID;
  }

  private byte[] mac(InetSocketAddress address, byte[] connectionId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(address.getAddress().getAddress());
      mac.update((byte) (address.getPort() >> 8));
      mac.update((byte) address.getPort());
      mac.update(connectionId);
      byte[] full = mac.doFinal();
      return java.util.Arrays.copyOf(full, MAC_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
