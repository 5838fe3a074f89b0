package io.edgeproxy.dns;

import org.jspecify.annotations.Nullable;

/**
 * What a name inside the zone means (see {@link DnsNames#classify}). Names are relative to the zone
 * and in lower case; {@code app} is the app's entry in the current {@link ZoneView}.
 */
sealed interface NameForm {

  /** The zone itself: SOA and NS. */
  record Apex() implements NameForm {}

  /** {@code <app>}, {@code global.<app>} ({@code limit} = all) or {@code top<N>.nearest.of.<app>}. */
  record Nearest(ZoneView.AppEntry app, int limit) implements NameForm {}

  /** {@code <region>.<app>}: the app's backends in one region. */
  record InRegion(ZoneView.AppEntry app, String region) implements NameForm {}

  /** {@code <backend-id>.vm.<app>}. */
  record Vm(ZoneView.AppEntry app, String id) implements NameForm {}

  /** {@code _<app>._tcp}: SRV. */
  record Srv(ZoneView.AppEntry app) implements NameForm {}

  /** {@code [all.]regions.<app>}: TXT. */
  record Regions(ZoneView.AppEntry app, boolean all) implements NameForm {}

  /** {@code [all.]vms.<app>}: TXT. */
  record Vms(ZoneView.AppEntry app, boolean all) implements NameForm {}

  /** {@code _apps}: TXT. */
  record Apps() implements NameForm {}

  /** {@code [all.]_instances}: TXT. */
  record Instances(boolean all) implements NameForm {}

  /** {@code pops} ({@code region} null) or {@code <region>.pops}. */
  record Pops(@Nullable String region) implements NameForm {}

  /** A name that exists only because names below it do ({@code vm.<app>}, {@code _tcp}): no records. */
  record EmptyNonTerminal() implements NameForm {}

  /** No such name in the zone. */
  record NoSuchName() implements NameForm {}
}
