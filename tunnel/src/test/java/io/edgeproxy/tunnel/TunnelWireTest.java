package io.edgeproxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;

class TunnelWireTest {
  @Test
  void everyMessageRoundTrips() {
    for (TunnelWire.Message m : new TunnelWire.Message[] {new TunnelWire.Hello("web", "dev-1", "tok_abc"),
        new TunnelWire.Welcome("t-0123", "pop-gru"), new TunnelWire.Refused("the token is for app api, not web"),
        new TunnelWire.Ping(42), new TunnelWire.Ping(43, 1250), new TunnelWire.Pong(42), new TunnelWire.GoAway("POP shutting down")}) {
      assertThat(TunnelWire.parse(TunnelWire.encode(m))).isEqualTo(m);
    }
  }

  @Test
  void badLinesSayWhatWasWrongAndWhatWasExpected() {
    assertThat(TunnelWire.parse("HELLO 2 web dev tok")).isEqualTo(
        new TunnelWire.Invalid("tunnel protocol version 2 is not supported (expected: 1)"));
    assertThat(TunnelWire.parse("HELLO 1 web dev")).isEqualTo(
        new TunnelWire.Invalid("HELLO takes 4 fields (version app agent token), got 3"));
    assertThat(TunnelWire.parse("PING x")).isEqualTo(
        new TunnelWire.Invalid("PING takes a decimal number and, optionally, a round-trip time in microseconds"));
    assertThat(TunnelWire.parse("PING 1 2 3")).isInstanceOf(TunnelWire.Invalid.class);
    assertThat(TunnelWire.parse("PONG 1 2")).isEqualTo(new TunnelWire.Invalid("PONG takes one decimal number"));
    assertThat(TunnelWire.parse("GET / HTTP/1.1")).isInstanceOf(TunnelWire.Invalid.class)
        .hasToString("Invalid[reason=unknown message 'GET' (expected: HELLO, WELCOME, REFUSED, PING, PONG or GOAWAY)]");
    assertThatThrownBy(() -> TunnelWire.encode(new TunnelWire.Hello("web", "a b", "t"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aHelloNeverShowsItsToken() {
    assertThat(new TunnelWire.Hello("web", "dev", "secret-token").toString()).doesNotContain("secret-token");
  }

  @Test
  void anyLineParsesWithoutThrowing() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 300)).checkAssert(line ->
        assertThat(TunnelWire.parse(line)).isNotNull());
  }
}
