package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

class ClientHelloFieldsTest {
  /** The body of a real ClientHello (the JDK's), after the record and handshake headers. */
  private static byte[] helloBody(String host, String... alpn) throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine(host, 443);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    if (host != null) {
      parameters.setServerNames(List.of(new SNIHostName(host)));
    }
    parameters.setApplicationProtocols(alpn);
    engine.setSSLParameters(parameters);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] record = new byte[out.remaining()];
    out.get(record);
    assertThat(record[0]).isEqualTo((byte) 22);
    assertThat(record[5]).isEqualTo((byte) 1);
    return Arrays.copyOfRange(record, 9, record.length);
  }

  @Test
  void readsTheServerNameAndAlpnOfARealHello() throws Exception {
    ClientHelloFields fields = ClientHelloFields.parse(Unpooled.wrappedBuffer(helloBody("api.example.com", "h2", "http/1.1"))).orElseThrow();
    assertThat(fields.serverName()).isEqualTo("api.example.com");
    assertThat(fields.protocols()).containsExactly("h2", "http/1.1");
    ClientHelloFields tunnel = ClientHelloFields.parse(Unpooled.wrappedBuffer(helloBody("x.test", "edgeproxy-tunnel"))).orElseThrow();
    assertThat(tunnel.protocols()).containsExactly("edgeproxy-tunnel");
  }

  @Test
  void aHelloWithoutExtensionsHasNoNameAndNoProtocols() {
    ByteBuf body = Unpooled.buffer();
    body.writeShort(0x0303).writeBytes(new byte[32]).writeByte(0).writeShort(2).writeShort(0x1301).writeByte(1).writeByte(0);
    assertThat(ClientHelloFields.parse(body)).contains(new ClientHelloFields(null, List.of()));
  }

  @Test
  void everyTruncationIsMalformedAndNoInputThrows() throws Exception {
    byte[] body = helloBody("api.example.com", "h2");
    for (int length = 0; length < body.length; length++) {
      ByteBuf cut = Unpooled.wrappedBuffer(Arrays.copyOf(body, length));
      // A cut that ends exactly after the compression methods is a valid hello without extensions.
      ClientHelloFields parsed = ClientHelloFields.parse(cut).orElse(null);
      assertThat(parsed == null || parsed.serverName() == null).as("length %d", length).isTrue();
      assertThat(cut.readerIndex()).isZero();
    }
    Random random = new Random(5);
    for (int i = 0; i < 100_000; i++) {
      byte[] b = i % 2 == 0 ? new byte[random.nextInt(300)] : body.clone();
      if (i % 2 == 0) {
        random.nextBytes(b);
      } else {
        for (int k = 0; k < 1 + random.nextInt(6); k++) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
      }
      assertThatCode(() -> ClientHelloFields.parse(Unpooled.wrappedBuffer(b))).doesNotThrowAnyException();
    }
  }

  @Test
  void aNameThatIsNotPrintableAsciiOrASecondHostNameMakesTheHelloMalformed() {
    assertThat(ClientHelloFields.parse(withServerNames(new byte[] {'a', 0x01, 'b'}))).isEmpty();
    assertThat(ClientHelloFields.parse(withServerNames("a.test".getBytes(), "b.test".getBytes()))).isEmpty();
    assertThat(ClientHelloFields.parse(withServerNames("ok.test".getBytes()))).map(ClientHelloFields::serverName).contains("ok.test");
  }

  private static ByteBuf withServerNames(byte[]... names) {
    ByteBuf list = Unpooled.buffer();
    for (byte[] name : names) {
      list.writeByte(0).writeShort(name.length).writeBytes(name);
    }
    ByteBuf ext = Unpooled.buffer();
    ext.writeShort(0).writeShort(list.readableBytes() + 2).writeShort(list.readableBytes()).writeBytes(list);
    ByteBuf body = Unpooled.buffer();
    body.writeShort(0x0303).writeBytes(new byte[32]).writeByte(0).writeShort(2).writeShort(0x1301).writeByte(1).writeByte(0);
    body.writeShort(ext.readableBytes()).writeBytes(ext);
    return body;
  }
}
