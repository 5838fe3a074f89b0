package io.edgeproxy.replication.stream;

/**
 * What one anti-entropy session moved.
 *
 * @param differingBuckets digest buckets that differed (0: the replicas already agreed)
 */
public record SyncResult(String peer, long rowsReceived, long rowsSent, int differingBuckets, long millis) {}
