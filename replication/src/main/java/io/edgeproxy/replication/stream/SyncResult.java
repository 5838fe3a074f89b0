package io.edgeproxy.replication.stream;

/**
 * What one anti-entropy session moved.
 *
 * @param differingBuckets digest buckets that differed (0: the replicas already agreed, or the
 *     session was held off)
 * @param heldOff nothing was compared: one side was bootstrapping or still receiving the other's
 *     pushes, so the rows that would differ are on their way already
 */
public record SyncResult(String peer, long rowsReceived, long rowsSent, int differingBuckets, long millis, boolean heldOff) {}
