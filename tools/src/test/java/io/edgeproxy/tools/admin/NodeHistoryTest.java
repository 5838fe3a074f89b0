package io.edgeproxy.tools.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeHistoryTest {
  private final RoutingState state = new RoutingState("sa", new LoadBoard());
  private final NodeHistory history = new NodeHistory(state, () -> null);

  private static Backend backend(String id, String app, boolean healthy) {
    return new Backend(id, app, "sa", "BR", InetAddress.getLoopbackAddress(), 80, healthy, 1, 100, 150);
  }

  /** A sample at {@code ms} on both clocks. */
  private void sample(long ms) {
    history.sample(ms, ms * 1_000_000);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> view, String name) {
    return (List<Map<String, Object>>) view.get(name);
  }

  @Test
  void ratesArePerSecondBetweenSamplesAndAppsSumTheirBackends() {
    state.publish(RoutingData.of(List.of(backend("a1", "a", true), backend("a2", "a", true))));
    sample(0);
    for (int i = 0; i < 10; i++) {
      state.loads().loadOf(i < 6 ? "a1" : "a2").recordConnectSuccess();
    }
    state.loads().loadOf("a1").addBytesToBackend(5_000);
    sample(5_000);
    Map<String, Object> view = history.view();
    assertThat((List<Long>) view.get("times")).containsExactly(0L, 5_000L);
    Map<String, Object> app = list(view, "apps").getFirst();
    assertThat(app.get("app")).isEqualTo("a");
    assertThat((List<Float>) app.get("newPerSec")).as("nothing to compare the first sample with").containsExactly(null, 2.0f);
    assertThat((List<Float>) app.get("bytesPerSec")).containsExactly(null, 1_000.0f);
    assertThat(list(view, "backends")).extracting(b -> b.get("backend")).containsExactly("a1", "a2");
    state.publish(RoutingData.of(List.of(backend("a1", "a", true), backend("a2", "a", true), backend("a3", "a", true))));
    sample(10_000);
    app = list(history.view(), "apps").getFirst();
    assertThat((List<Float>) app.get("newPerSec")).as("a backend's first sample is no gap in its app's line")
        .containsExactly(null, 2.0f, 0.0f);
  }

  @Test
  void aBackendIdMovedToAnotherAppStartsAfreshUnderThatApp() {
    state.publish(RoutingData.of(List.of(backend("x", "a", true))));
    sample(0);
    sample(5_000);
    state.publish(RoutingData.of(List.of(backend("x", "b", true))));
    sample(10_000);
    Map<String, Object> x = list(history.view(), "backends").getFirst();
    assertThat(x.get("app")).isEqualTo("b");
    assertThat((List<Float>) x.get("active")).as("app a's past is not shown as b's").containsExactly(null, null, 0.0f);
  }

  @Test
  void theWindowIsFifteenMinutesAndWhatLeftItIsForgotten() {
    state.publish(RoutingData.of(List.of(backend("old", "a", true))));
    sample(0);
    state.publish(RoutingData.of(List.of(backend("new", "b", true))));
    long step = NodeHistory.STEP.toMillis();
    for (int i = 1; i <= NodeHistory.SAMPLES + 3; i++) {
      sample(i * step);
    }
    Map<String, Object> view = history.view();
    List<Long> times = (List<Long>) view.get("times");
    assertThat(times).hasSize(NodeHistory.SAMPLES);
    assertThat(times.getFirst()).isEqualTo(4 * step);
    assertThat(times.getLast()).isEqualTo((NodeHistory.SAMPLES + 3) * step);
    assertThat(list(view, "backends")).extracting(b -> b.get("backend")).as("old left the window").containsExactly("new");
    assertThat(list(view, "apps")).extracting(b -> b.get("app")).containsExactly("b");
  }

  @Test
  void healthChangesAreEventsOnlyWhenTheyHappen() {
    state.publish(RoutingData.of(List.of(backend("x", "a", false))));
    sample(0); // unhealthy from the start: no event, nothing changed
    state.publish(RoutingData.of(List.of(backend("x", "a", true))));
    sample(5_000);
    sample(10_000);
    state.publish(RoutingData.of(List.of(backend("x", "a", false), backend("late", "a", false))));
    sample(15_000); // "late" appears unhealthy: no change of its health
    assertThat(list(history.view(), "events")).extracting(e -> e.get("t"), e -> e.get("healthy"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(5_000L, true), org.assertj.core.groups.Tuple.tuple(15_000L, false));
  }

  @Test
  void pastFiftyBackendsOnlyTheBusiestHaveSeriesAndAppsStillSumThemAll() {
    List<Backend> many = java.util.stream.IntStream.range(0, 60).mapToObj(i -> backend("b" + i, "a", true)).toList();
    state.publish(RoutingData.of(many));
    sample(0);
    assertThat(list(history.view(), "backends")).as("the first fifty seen").hasSize(NodeHistory.CHARTED_BACKENDS);
    for (int i = 50; i < 60; i++) { // ten backends with no series yet get busy
      for (int k = 0; k < i; k++) {
        state.loads().loadOf("b" + i).recordConnectSuccess();
      }
    }
    for (int k = 0; k < 100; k++) {
      state.loads().loadOf("b0").recordConnectSuccess(); // and one that has a series, busier than all
    }
    sample(5_000);
    Map<String, Object> view = history.view();
    List<Object> charted = list(view, "backends").stream().map(b -> b.get("backend")).toList();
    assertThat(charted).hasSize(NodeHistory.CHARTED_BACKENDS).contains("b0")
        .containsAll(java.util.stream.IntStream.range(50, 60).mapToObj(i -> "b" + i).toList());
    Map<String, Object> b59 = list(view, "backends").stream().filter(b -> b.get("backend").equals("b59")).findFirst().orElseThrow();
    assertThat((List<Float>) b59.get("newPerSec")).as("charted from this sample on").containsExactly(null, 59 / 5.0f);
    float all = 100;
    for (int i = 50; i < 60; i++) {
      all += i;
    }
    assertThat((List<Float>) list(view, "apps").getFirst().get("newPerSec")).as("the app sums every backend")
        .containsExactly(null, all / 5.0f);
    for (int k = 0; k < 30; k++) {
      state.loads().loadOf("b1").recordConnectSuccess(); // b1 (charted, idle until now) is busier than b50-b55
    }
    for (int i = 0; i < 60; i++) {
      if (i != 1) {
        for (int k = 0; k < i; k++) {
          state.loads().loadOf("b" + i).recordConnectSuccess();
        }
      }
    }
    sample(10_000); // now b0 is idle (20/s in the last sample), b1 makes 6/s and every other bi i/5 per second
    charted = list(history.view(), "backends").stream().map(b -> b.get("backend")).toList();
    List<String> busiest = new java.util.ArrayList<>(List.of("b0", "b1"));
    for (int i = 12; i < 60; i++) {
      busiest.add("b" + i);
    }
    assertThat(charted).as("the fifty busiest, a charted one at its busiest in the window")
        .containsExactlyInAnyOrderElementsOf(busiest);
  }

  @Test
  void moreBusyBackendsWithoutSeriesThanPlacesTheBusiestTakeThemAndTiesGoInRoutingOrder() {
    List<Backend> many = java.util.stream.IntStream.range(0, 200).mapToObj(i -> backend("b" + i, "a", true)).toList();
    state.publish(RoutingData.of(many));
    sample(0); // b0-b49 charted, idle
    for (int i = 50; i < 200; i++) { // 150 without series get busy: b50-b129 one each, b130-b199 i each
      int n = i < 130 ? 1 : i;
      for (int k = 0; k < n; k++) {
        state.loads().loadOf("b" + i).recordConnectSuccess();
      }
    }
    sample(5_000);
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 130; i < 200; i++) {
      expected.add("b" + i);
    }
    List<Object> charted = list(history.view(), "backends").stream().map(b -> b.get("backend")).toList();
    assertThat(charted).as("the 50 busiest of 150 candidates").containsExactlyInAnyOrderElementsOf(expected.subList(20, 70));

    for (int i = 50; i < 200; i++) { // now all 150 equally busy: none is busier than the charted at their busiest
      state.loads().loadOf("b" + i).recordConnectSuccess();
    }
    sample(10_000);
    assertThat(list(history.view(), "backends").stream().map(b -> b.get("backend")).toList())
        .containsExactlyInAnyOrderElementsOf(expected.subList(20, 70));
  }

  @Test
  void equallyBusyCandidatesTakeThePlacesInTheOrderRoutingListsThem() {
    List<Backend> many = java.util.stream.IntStream.range(0, 120).mapToObj(i -> backend("b" + i, "a", true)).toList();
    state.publish(RoutingData.of(many));
    sample(0);
    for (int i = 50; i < 120; i++) {
      state.loads().loadOf("b" + i).recordConnectSuccess();
    }
    sample(5_000);
    assertThat(list(history.view(), "backends").stream().map(b -> b.get("backend")).toList())
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(50, 100).mapToObj(i -> "b" + i).toList());
  }

  @Test
  void aBackendGoneFromRoutingGivesWayToAPresentOneEvenAnIdleOne() {
    List<Backend> first = java.util.stream.IntStream.range(0, 50).mapToObj(i -> backend("old" + i, "a", true)).toList();
    state.publish(RoutingData.of(first));
    sample(0);
    state.publish(RoutingData.of(List.of(backend("new", "a", true))));
    sample(5_000);
    assertThat(list(history.view(), "backends")).extracting(b -> b.get("backend")).contains("new").hasSize(NodeHistory.CHARTED_BACKENDS);
  }

  @Test
  void aBackendBackAfterAGapHasItsRateOverTheGapAndItsHealthChangeIsAnEvent() {
    state.publish(RoutingData.of(List.of(backend("x", "a", true))));
    sample(0);
    state.publish(RoutingData.of(List.of()));
    sample(5_000);
    for (int i = 0; i < 20; i++) {
      state.loads().loadOf("x").recordConnectSuccess();
    }
    state.publish(RoutingData.of(List.of(backend("x", "a", false))));
    sample(10_000);
    Map<String, Object> view = history.view();
    assertThat((List<Float>) list(view, "backends").getFirst().get("newPerSec")).as("20 over the 10 s since it was last read")
        .containsExactly(null, null, 2.0f);
    assertThat(list(view, "events")).extracting(e -> e.get("t"), e -> e.get("healthy"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(10_000L, false));
  }
}
