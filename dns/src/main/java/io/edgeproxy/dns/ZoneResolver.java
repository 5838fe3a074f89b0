package io.edgeproxy.dns;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.Candidate;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Answers a query from the routing snapshot in force. Every record comes from one snapshot, taken
 * once per query, so an answer never mixes two versions. Thread-safe; called on the I/O threads,
 * never blocks (the POP list supplier must not block either).
 */
public final class ZoneResolver {
  private static final int CLASS_IN = 1;
  private static final int CLASS_ANY = 255;

  private final List<String> zone;
  private final RoutingState state;
  private final Supplier<List<Pop>> pops;
  private final LongSupplier nanoTime;
  private volatile ZoneView view;

  /**
   * @param zone the zone, lower case, without a trailing dot (e.g. {@code internal})
   * @param pops the appliance nodes for {@code pops.<zone>}; called per such query, must be cheap
   */
  public ZoneResolver(String zone, RoutingState state, Supplier<List<Pop>> pops, LongSupplier nanoTime) {
    this.zone = List.of(requireNonNull(zone, "zone").split("\\."));
    this.state = requireNonNull(state, "state");
    this.pops = requireNonNull(pops, "pops");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.view = ZoneView.of(state.current());
    state.onPublish(snapshot -> view = ZoneView.of(snapshot)); // index off the I/O threads
  }

  List<String> zone() {
    return zone;
  }

  /** The index of the snapshot in force (rebuilt here only if a publish raced the listener). */
  ZoneView view() {
    ZoneView v = view;
    RoutingSnapshot current = state.current();
    if (v.snapshot() != current) {
      v = ZoneView.of(current);
      view = v;
    }
    return v;
  }

  /** The answer to {@code query} for a client at {@code client}; {@code clientHash} orders ties. */
  Answer resolve(DnsQuery query, ZoneView v, ClientLocation client, long clientHash) {
    return resolve(query, v, client, clientHash, new AnswerInputs());
  }

  /** As {@link #resolve(DnsQuery, ZoneView, ClientLocation, long)}, recording the live checks made into {@code inputs}. */
  Answer resolve(DnsQuery query, ZoneView v, ClientLocation client, long clientHash, AnswerInputs inputs) {
    if (query.edns() != null && query.edns().version() != 0) {
      return new Answer.BadVersion();
    }
    if ((query.qclass() != CLASS_IN && query.qclass() != CLASS_ANY) || !DnsNames.inZone(query.labels(), zone)) {
      return new Answer.Refused(); // never an open resolver
    }
    if (query.qtype() == Rr.TYPE_AXFR || query.qtype() == Rr.TYPE_IXFR) {
      return new Answer.Refused();
    }
    List<String> rel = query.labels().subList(0, query.labels().size() - zone.size());
    Lookup lookup = new Lookup(query.qtype(), rel, v, client, clientHash, nanoTime.getAsLong(), inputs);
    return lookup.answer(DnsNames.classify(rel, v));
  }

  /** The clock live checks use (nanoTime units). */
  long now() {
    return nanoTime.getAsLong();
  }

  /** What the proxy would send a new client to now: healthy, weight > 0, not full, not down on this POP. */
  static boolean usable(Candidate c, long nowNanos) {
    Backend b = c.backend();
    return b.acceptsNewClients() && !c.load().isFull(b.hardLimit()) && !c.load().isDownHere(nowNanos);
  }

  /** One query's lookup: the fields every name form needs. */
  private final class Lookup {
    private final int qtype;
    private final List<String> owner;
    private final ZoneView view;
    private final ClientLocation client;
    private final long clientHash;
    private final long now;
    private final AnswerInputs inputs;

    Lookup(int qtype, List<String> owner, ZoneView view, ClientLocation client, long clientHash, long now,
        AnswerInputs inputs) {
      this.qtype = qtype;
      this.owner = owner;
      this.view = view;
      this.client = client;
      this.clientHash = clientHash;
      this.now = now;
      this.inputs = inputs;
    }

    Answer answer(NameForm form) {
      return switch (form) {
        case NameForm.Apex a -> apex();
        case NameForm.Nearest n -> addresses(n.app().accepting(), c -> true, n.limit());
        case NameForm.InRegion r -> addresses(r.app().accepting(), c -> c.backend().region().equals(r.region()), Integer.MAX_VALUE);
        case NameForm.Vm vm -> addresses(List.of(vm.app().byLowerId(vm.id())), c -> true, 1);
        case NameForm.Srv s -> srv(s.app());
        case NameForm.Regions r -> txt(regions(r.app(), r.all()));
        case NameForm.Vms v -> txt(vms(v.app(), v.all()));
        case NameForm.Apps a -> txt(String.join(",", view.appNames()));
        case NameForm.Instances i -> txt(instances(i.all()));
        case NameForm.Pops p -> pops(p.region());
        case NameForm.EmptyNonTerminal e -> new Answer.NoData();
        case NameForm.NoSuchName n -> new Answer.NxDomain();
      };
    }

    private boolean usable(Candidate c) {
      boolean usable = ZoneResolver.usable(c, now);
      inputs.checked(c, usable);
      return usable;
    }

    private boolean wants(int type) {
      return qtype == type || qtype == Rr.TYPE_ANY;
    }

    private Answer apex() {
      List<Rr> out = new ArrayList<>(2);
      if (wants(Rr.TYPE_SOA)) {
        out.add(new Rr.Soa(view.snapshot().version()));
      }
      if (wants(Rr.TYPE_NS)) {
        out.add(new Rr.Ns(owner, List.of("pops")));
      }
      return records(out, List.of());
    }

    private Answer addresses(List<Candidate> candidates, Predicate<Candidate> filter, int limit) {
      if (!wants(Rr.TYPE_A) && !wants(Rr.TYPE_AAAA)) {
        return new Answer.NoData();
      }
      // A device tunnel has no address to give: it is reached through its POP (TXT listings name it).
      Predicate<Candidate> usable = c -> filter.test(c) && !c.backend().isTunnel() && usable(c) && wants(family(c.backend()));
      List<Rr> out = new ArrayList<>();
      for (NearestOrder.Ranked r : NearestOrder.order(candidates, usable, client, view.snapshot().popRegion(), clientHash, limit)) {
        out.add(new Rr.Address(owner, r.backend().address()));
      }
      return records(out, List.of());
    }

    private Answer srv(ZoneView.AppEntry app) {
      if (!wants(Rr.TYPE_SRV)) {
        return new Answer.NoData();
      }
      List<Rr> answers = new ArrayList<>();
      List<Rr> additional = new ArrayList<>();
      List<String> appLabels = Arrays.asList(app.name().toLowerCase(Locale.ROOT).split("\\."));
      for (NearestOrder.Ranked r : NearestOrder.order(app.accepting(), this::usable, client,
          view.snapshot().popRegion(), clientHash, Integer.MAX_VALUE)) {
        Backend b = r.backend();
        List<String> target = vmName(b.id(), appLabels);
        if (target != null && !b.isTunnel()) {
          answers.add(new Rr.Srv(owner, r.tier(), b.weight(), b.port(), target));
          additional.add(new Rr.Address(target, b.address()));
        }
      }
      return records(answers, additional);
    }

    /** {@code <id>.vm.<app>} as labels, or null when the id cannot be a DNS name (not ASCII, a label over 63 bytes). */
    private @Nullable List<String> vmName(String id, List<String> appLabels) {
      List<String> labels = new ArrayList<>(Arrays.asList(id.toLowerCase(Locale.ROOT).split("\\.", -1)));
      labels.add("vm");
      labels.addAll(appLabels);
      for (String label : labels) {
        if (label.isEmpty() || label.length() > 63 || !label.chars().allMatch(ch -> ch > ' ' && ch < 127)) {
          return null;
        }
      }
      return NameCompressor.wireLength(labels, zone) <= 255 ? labels : null;
    }

    private String regions(ZoneView.AppEntry app, boolean all) {
      TreeSet<String> regions = new TreeSet<>();
      for (Candidate c : app.all()) {
        if (all || usable(c)) {
          regions.add(c.backend().region());
        }
      }
      return String.join(",", regions);
    }

    private String vms(ZoneView.AppEntry app, boolean all) {
      StringBuilder text = new StringBuilder();
      for (Candidate c : app.all()) {
        if (all || usable(c)) {
          text.append(text.isEmpty() ? "" : ",").append(c.id()).append(' ').append(c.backend().region());
        }
      }
      return text.toString();
    }

    private String instances(boolean all) {
      StringBuilder text = new StringBuilder();
      for (ZoneView.AppEntry app : view.appEntries()) {
        for (Candidate c : app.all()) {
          if (all || usable(c)) {
            Backend b = c.backend();
            text.append(text.isEmpty() ? "" : ";").append("instance=").append(b.id()).append(",app=").append(b.app())
                .append(",ip=").append(NetUtil.toAddressString(b.address())).append(",region=").append(b.region());
          }
        }
      }
      return text.toString();
    }

    private Answer txt(String text) {
      if (!wants(Rr.TYPE_TXT)) {
        return new Answer.NoData();
      }
      return text.isEmpty() ? new Answer.NoData() : new Answer.Records(List.of(new Rr.Txt(owner, text)), List.of());
    }

    private Answer pops(@Nullable String region) {
      if (!wants(Rr.TYPE_A) && !wants(Rr.TYPE_AAAA)) {
        return new Answer.NoData();
      }
      inputs.untracked(); // the POP list changes with membership, not with the snapshot
      List<Rr> out = new ArrayList<>();
      for (Pop pop : pops.get()) {
        boolean v4 = pop.address() instanceof Inet4Address;
        if ((region == null || region.equals(pop.region())) && wants(v4 ? Rr.TYPE_A : Rr.TYPE_AAAA)) {
          out.add(new Rr.Address(owner, pop.address()));
        }
      }
      return records(out, List.of());
    }

    private static int family(Backend b) {
      return b.address() instanceof Inet4Address ? Rr.TYPE_A : Rr.TYPE_AAAA;
    }

    private static Answer records(List<Rr> answers, List<Rr> additional) {
      return answers.isEmpty() ? new Answer.NoData() : new Answer.Records(answers, additional);
    }
  }
}
