package io.edgeproxy.core.geo;

import com.maxmind.db.CHMCache;
import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Reader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@link GeoResolver} over a MaxMind DB file: the embedded PDDL {@code iptoasn-country.mmdb}
 * (ip-location-db, {@code country_code} layout) or an operator's GeoLite2/GeoIP2 Country file
 * ({@code country.iso_code} layout). Lookups are lock-free and allocation-light (decoded records are
 * cached; a country database has a few hundred distinct records).
 */
public final class MaxMindGeoResolver implements GeoResolver, Closeable {
  public static final String EMBEDDED_RESOURCE = "/geo/iptoasn-country.mmdb";

  private final Reader reader;
  private final String source;

  private MaxMindGeoResolver(Reader reader, String source) {
    this.reader = reader;
    this.source = source;
  }

  /**
   * The system property naming a copy of the embedded database that the launcher extracted next to
   * the jar ({@code lib/native/} in the tarball and the package). Mapped from that file, the
   * database's pages are the page cache's, shared and reclaimable, and only those that lookups
   * touch are resident; read from the jar it is 5 MB of heap for the life of the process.
   */
  public static final String EMBEDDED_COPY_PROPERTY = "edgeproxy.geo.embedded-copy";

  /**
   * The database embedded in the jar: memory-mapped from the launcher's copy when {@link
   * #EMBEDDED_COPY_PROPERTY} names one of the embedded entry's size, else read from the jar.
   */
  public static MaxMindGeoResolver embedded() {
    String copy = System.getProperty(EMBEDDED_COPY_PROPERTY);
    if (copy != null && !copy.isEmpty()) {
      MaxMindGeoResolver mapped = mappedCopy(Path.of(copy));
      if (mapped != null) {
        return mapped;
      }
    }
    return fromJar();
  }

  /**
   * The launcher's copy, or null when it is missing, of another size than the embedded entry (a
   * copy left by another build), or unreadable. The launcher replaces a stale copy by renaming a
   * new one over it, so a file this process has mapped is never truncated under it.
   */
  static @Nullable MaxMindGeoResolver mappedCopy(Path copy) {
    try {
      var url = MaxMindGeoResolver.class.getResource(EMBEDDED_RESOURCE);
      if (url == null || !Files.isRegularFile(copy)) {
        return null;
      }
      long embeddedSize = url.openConnection().getContentLengthLong();
      if (embeddedSize < 0 || Files.size(copy) != embeddedSize) {
        return null;
      }
      return new MaxMindGeoResolver(
          new Reader(copy.toFile(), new CHMCache()), "embedded " + EMBEDDED_RESOURCE + ", mapped from " + copy);
    } catch (IOException | RuntimeException e) {
      return null; // read from the jar instead: slower to start, same answers
    }
  }

  /** The database read from the jar into the heap. */
  static MaxMindGeoResolver fromJar() {
    try (InputStream in = MaxMindGeoResolver.class.getResourceAsStream(EMBEDDED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("embedded GeoIP database missing: " + EMBEDDED_RESOURCE);
      }
      return new MaxMindGeoResolver(new Reader(in, new CHMCache()), "embedded " + EMBEDDED_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read embedded GeoIP database " + EMBEDDED_RESOURCE, e);
    }
  }

  /**
   * A database file (memory-mapped).
   *
   * @throws UncheckedIOException naming the path when the file is missing or not a MaxMind DB
   */
  public static MaxMindGeoResolver open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UncheckedIOException(
          new IOException("GeoIP database " + file + " does not exist or is not a file"));
    }
    try {
      return new MaxMindGeoResolver(new Reader(file.toFile(), new CHMCache()), file.toString());
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          new IOException("cannot open GeoIP database " + file + " (expected: a MaxMind DB country file): " + e.getMessage(), e));
    }
  }

  @Override
  public @Nullable String countryOf(InetAddress address) {
    try {
      CountryRecord record = reader.get(address, CountryRecord.class);
      if (record == null) {
        return null;
      }
      String iso = record.iso();
      return iso == null || iso.isEmpty() ? null : iso.toUpperCase(Locale.ROOT);
    } catch (IOException | RuntimeException e) {
      // A corrupt region of the file must not break the connection being routed: treat as unknown.
      return null;
    }
  }

  /** Where the database came from and its type and build date, for the start-up log. */
  public String describe() {
    var md = reader.getMetadata();
    return source + " (" + md.databaseType() + ", built " + md.buildTime() + ")";
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  /** Reads both layouts: ip-location-db's {@code country_code} and MaxMind's {@code country.iso_code}. */
  public record CountryRecord(@Nullable String countryCode, @Nullable IsoCode country) {
    @MaxMindDbConstructor
    public CountryRecord(
        @MaxMindDbParameter(name = "country_code") @Nullable String countryCode,
        @MaxMindDbParameter(name = "country") @Nullable IsoCode country) {
      this.countryCode = countryCode;
      this.country = country;
    }

    @Nullable String iso() {
      return countryCode != null ? countryCode : country == null ? null : country.isoCode();
    }
  }

  /** MaxMind's {@code country} map; only the ISO code is read. */
  public record IsoCode(@Nullable String isoCode) {
    @MaxMindDbConstructor
    public IsoCode(@MaxMindDbParameter(name = "iso_code") @Nullable String isoCode) {
      this.isoCode = isoCode;
    }
  }
}
