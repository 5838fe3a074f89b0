package io.edgeproxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlightsTest {
  @Test
  void followersAreToldOnceAndAllTogether() {
    Flights flights = new Flights(1_000);
    List<Flights.Landing> told = new ArrayList<>();
    Flights.Flight leader = flights.lead("k", told::add, 0);
    assertThat(leader).isNotNull();
    for (int i = 0; i < 3; i++) {
      assertThat(flights.lead("k", told::add, 10)).isNull();
    }
    flights.land("k", leader, Flights.Landing.NOT_STORED);
    flights.land("k", leader, Flights.Landing.STORED); // a second landing tells nobody
    assertThat(told).containsExactly(Flights.Landing.NOT_STORED, Flights.Landing.NOT_STORED, Flights.Landing.NOT_STORED);
    assertThat(flights.lead("k", told::add, 20)).as("the next miss leads a new flight").isNotNull();
  }

  @Test
  void aFlightPastItsWaitBoundReleasesItsFollowersAndTheNextRequestLeads() {
    Flights flights = new Flights(1_000);
    List<Flights.Landing> told = new ArrayList<>();
    Flights.Flight stalled = flights.lead("k", told::add, 0);
    assertThat(flights.lead("k", told::add, 500)).isNull();
    Flights.Flight next = flights.lead("k", told::add, 1_001);
    assertThat(next).isNotNull().isNotSameAs(stalled);
    assertThat(told).containsExactly(Flights.Landing.NOT_STORED);
    flights.land("k", stalled, Flights.Landing.STORED); // the stalled leader lands late: nobody left to tell
    assertThat(told).hasSize(1);
    assertThat(flights.lead("k", told::add, 1_002)).as("the new flight still holds the key").isNull();
  }

  @Test
  void aFollowerThatThrowsDoesNotKeepTheOthersWaiting() {
    Flights flights = new Flights(1_000);
    List<Flights.Landing> told = new ArrayList<>();
    Flights.Flight leader = flights.lead("k", told::add, 0);
    flights.lead("k", l -> {
      throw new java.util.concurrent.RejectedExecutionException("loop shut down");
    }, 1);
    flights.lead("k", told::add, 2);
    flights.land("k", leader, Flights.Landing.STORED);
    assertThat(told).containsExactly(Flights.Landing.STORED);
  }
}
