package io.edgeproxy.dns;

import static io.edgeproxy.dns.DnsHarness.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.Candidate;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answer path without sockets: the proxy's exclusions, and location from the querier's address. */
class ZoneResolverTest {
  private final RoutingState state = new RoutingState("sa", new LoadBoard());
  private final ZoneResolver resolver = new ZoneResolver("internal", state, List::of, System::nanoTime);

  ZoneResolverTest() {
    List<Backend> backends = new ArrayList<>(Fixture.backends());
    backends.replaceAll(b -> b.id().equals("web-gru-1") ? b.withLimits(100, 1) : b);
    state.publish(RoutingData.of(backends));
  }

  private List<String> addresses(String name) {
    DnsQuery q = new DnsQuery(1, 0, WirePackets.question(name, 1), List.of(name.split("\\.")), 1, 1, null);
    Answer a = resolver.resolve(q, resolver.view(), io.edgeproxy.core.geo.ClientLocation.UNKNOWN, 7);
    return a instanceof Answer.Records r ? r.answers().stream().map(rr -> ((Rr.Address) rr).address().getHostAddress()).toList()
        : List.of();
  }

  private Candidate candidate(String id) {
    return state.current().routesFor("web").byId(id);
  }

  @Test
  void aBackendAtItsHardLimitOrDownOnThisPopIsLeftOutAsTheProxyWould() {
    assertThat(addresses("web.internal")).contains("10.50.1.1", "10.50.2.1");
    assertThat(candidate("web-gru-1").load().tryAcquire(1)).isTrue(); // the proxy took its only slot
    assertThat(addresses("web.internal")).doesNotContain("10.50.1.1");
    candidate("web-gru-1").load().release();
    assertThat(addresses("web.internal")).contains("10.50.1.1");

    candidate("web-eze-1").load().setCheckFailing(true); // this POP's active health check holds it down
    assertThat(addresses("web.internal")).doesNotContain("10.50.2.1");
    assertThat(addresses("sa.web.internal")).containsExactly("10.50.1.1");
  }

  @Test
  void withoutClientSubnetTheQueriersAddressLocatesTheClient() {
    ClientLocator locator = new ClientLocator(new FixedGeoResolver(Map.of(ip("8.8.8.0"), "US")));
    DnsResponder responder = new DnsResponder(resolver, locator, new DnsStats(), 5, null);
    EmbeddedChannel channel = new EmbeddedChannel(new UdpDnsHandler(responder));
    byte[] query = WirePackets.query(3, 0, 1, 0, 0, 0, WirePackets.question("web.internal", 1));
    InetSocketAddress querier = new InetSocketAddress(ip("8.8.8.8"), 40000);
    DatagramPacket in = new DatagramPacket(Unpooled.wrappedBuffer(query), new InetSocketAddress("127.0.0.1", 53), querier);
    channel.writeInbound(in);
    DatagramPacket out = channel.readOutbound();
    assertThat(in.refCnt()).as("the query buffer is released").isZero();
    assertThat(out.recipient()).isEqualTo(querier);
    ByteBuf reply = out.content();
    int firstAnswerData = 12 + query.length - 12 + 12; // header, question, then name pointer(2) type class ttl len (10)
    assertThat(ip(reply.getUnsignedByte(firstAnswerData) + "." + reply.getUnsignedByte(firstAnswerData + 1) + "."
        + reply.getUnsignedByte(firstAnswerData + 2) + "." + reply.getUnsignedByte(firstAnswerData + 3)))
        .as("the US backend first for a querier in the US").isEqualTo(ip("10.60.1.1"));
    out.release();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void topNIsOneToAThousandWithoutLeadingZeros() {
    assertThat(DnsNames.topN("top1")).isEqualTo(1);
    assertThat(DnsNames.topN("top1000")).isEqualTo(1000);
    assertThat(DnsNames.topN("top1001")).isZero();
    assertThat(DnsNames.topN("top01")).isZero();
    assertThat(DnsNames.topN("top")).isZero();
    assertThat(DnsNames.topN("topx")).isZero();
  }
}
