package io.edgeproxy.cache;

/**
 * A stored body: in memory ({@link MemoryBody}) or in a file of the disk tier ({@link FileBody}).
 * Never changed once stored.
 */
public sealed interface Body permits MemoryBody, FileBody {
  long length();
}
