package io.edgeproxy.core.routing;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * An immutable group of candidates (one app's backends in one country, one region, or all of
 * them), with cumulative weights so a weighted sample costs one binary search.
 */
final class CandidateSet {
  static final CandidateSet EMPTY = new CandidateSet(List.of());

  private final Candidate[] members;
  private final long[] cumulativeWeight;

  CandidateSet(List<Candidate> members) {
    this(members.toArray(Candidate[]::new));
  }

  private CandidateSet(Candidate[] members) {
    this.members = members;
    this.cumulativeWeight = new long[this.members.length];
    long sum = 0;
    for (int i = 0; i < this.members.length; i++) {
      sum += this.members[i].backend().weight();
      cumulativeWeight[i] = sum;
    }
  }

  /**
   * This set without {@code removed} (by identity) and with {@code added} at the end: what the
   * constructor makes of that list, by array copies.
   */
  CandidateSet with(Set<Candidate> removed, List<Candidate> added) {
    if (removed.isEmpty() && added.isEmpty()) {
      return this;
    }
    Candidate[] next = new Candidate[members.length + added.size()];
    int n = 0;
    if (removed.isEmpty()) {
      System.arraycopy(members, 0, next, 0, members.length);
      n = members.length;
    } else {
      for (Candidate c : members) {
        if (!removed.contains(c)) {
          next[n++] = c;
        }
      }
    }
    for (Candidate c : added) {
      next[n++] = c;
    }
    return n == 0 ? EMPTY : new CandidateSet(n == next.length ? next : Arrays.copyOf(next, n));
  }

  int size() {
    return members.length;
  }

  Candidate get(int index) {
    return members[index];
  }

  /** The member whose weight interval holds {@code hash}: member i is drawn with probability w_i / sum(w). */
  Candidate sample(long hash) {
    long total = cumulativeWeight[members.length - 1];
    long point = Math.unsignedMultiplyHigh(hash, total); // uniform in [0, total)
    int lo = 0;
    int hi = members.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulativeWeight[mid] > point) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return members[lo];
  }

  List<Candidate> asList() {
    return List.of(members);
  }
}
