package io.edgeproxy.core.routing;

import java.util.List;

/**
 * An immutable group of candidates (one app's backends in one country, one region, or all of
 * them), with cumulative weights so a weighted sample costs one binary search.
 */
final class CandidateSet {
  static final CandidateSet EMPTY = new CandidateSet(List.of());

  private final Candidate[] members;
  private final long[] cumulativeWeight;

  CandidateSet(List<Candidate> members) {
    this.members = members.toArray(Candidate[]::new);
    this.cumulativeWeight = new long[this.members.length];
    long sum = 0;
    for (int i = 0; i < this.members.length; i++) {
      sum += this.members[i].backend().weight();
      cumulativeWeight[i] = sum;
    }
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
