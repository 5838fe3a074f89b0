package io.edgeproxy.sql;

/**
 * How one committed change moved a row's hash (see {@link RowHashes}): anti-entropy keeps bucket
 * sums up to date from these instead of rescanning.
 *
 * @param row the row whose hash changed
 * @param delta added to the row's hash (wrapping arithmetic)
 * @param tag the clock reading of the change, so a digest can leave out changes newer than a cut;
 *     one delta never mixes changes of different versions (a cut must take all of it or none)
 */
public record DigestDelta(RowKey row, long delta, long tag) {}
