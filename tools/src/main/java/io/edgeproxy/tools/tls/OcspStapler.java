package io.edgeproxy.tools.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCSP responses to staple (RFC 6066 section 8), one per certificate whose leaf names a responder
 * (authorityInfoAccess, id-ad-ocsp) and whose issuer is in its chain. A response is fetched when a
 * certificate is first served and again halfway to its nextUpdate (at least every 10 minutes, at
 * most every 12 hours; a failed fetch is retried after 10 s); it is stapled only while it says "good" and has not passed its nextUpdate.
 * A responder that fails leaves the last good response in place until it expires, then nothing is
 * stapled (clients then ask the responder themselves, as without stapling). Refreshes run on the
 * caller's thread (the certificate store's timer); lookups are lock-free.
 */
final class OcspStapler {
  private static final Logger logger = LoggerFactory.getLogger(OcspStapler.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MIN_REFRESH = Duration.ofMinutes(10);
  private static final Duration MAX_REFRESH = Duration.ofHours(12);
  private static final Duration RETRY = Duration.ofSeconds(10);

  /** A response and when to refresh it. */
  private record Staple(byte @Nullable [] der, @Nullable Instant nextUpdate, Instant refreshAt) {}

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  private final Map<BigInteger, Staple> staples = new ConcurrentHashMap<>();

  /** The response to staple for {@code leaf} now, or null. */
  byte @Nullable [] stapleFor(X509Certificate leaf, Instant now) {
    Staple s = staples.get(leaf.getSerialNumber());
    return s == null || s.der() == null || s.nextUpdate() == null || !now.isBefore(s.nextUpdate()) ? null : s.der();
  }

  /** Fetches what is missing or due for the chains served now, and forgets the others. */
  void refresh(List<List<X509Certificate>> chains, Instant now) {
    staples.keySet().retainAll(chains.stream().map(c -> c.getFirst().getSerialNumber()).collect(java.util.stream.Collectors.toSet()));
    for (List<X509Certificate> chain : chains) {
      X509Certificate leaf = chain.getFirst();
      Staple current = staples.get(leaf.getSerialNumber());
      if (current != null && now.isBefore(current.refreshAt())) {
        continue;
      }
      URI responder = responderOf(leaf);
      if (responder == null || chain.size() < 2) {
        staples.put(leaf.getSerialNumber(), new Staple(null, null, now.plus(MAX_REFRESH))); // nothing to staple
        continue;
      }
      staples.put(leaf.getSerialNumber(), fetch(leaf, chain.get(1), responder, current, now));
    }
  }

  private Staple fetch(X509Certificate leaf, X509Certificate issuer, URI responder, @Nullable Staple previous, Instant now) {
    try {
      CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
          new JcaX509CertificateHolder(issuer), leaf.getSerialNumber());
      byte[] request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
      HttpResponse<byte[]> reply = http.send(HttpRequest.newBuilder(responder).timeout(TIMEOUT)
          .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (reply.statusCode() != 200) {
        throw new IOException("HTTP " + reply.statusCode());
      }
      OCSPResp resp = new OCSPResp(reply.body());
      if (resp.getStatus() != OCSPResp.SUCCESSFUL || !(resp.getResponseObject() instanceof BasicOCSPResp basic)) {
        throw new IOException("response status " + resp.getStatus() + " (expected: 0, successful)");
      }
      SingleResp single = null;
      for (SingleResp r : basic.getResponses()) {
        if (r.getCertID().equals(id)) {
          single = r;
        }
      }
      if (single == null) {
        throw new IOException("the response is not about this certificate");
      }
      if (single.getCertStatus() != CertificateStatus.GOOD) {
        logger.warn("OCSP: {} says certificate {} of {} is not good ({}); nothing stapled", responder,
            leaf.getSerialNumber().toString(16), leaf.getSubjectX500Principal().getName(), single.getCertStatus().getClass().getSimpleName());
        return new Staple(null, null, now.plus(MIN_REFRESH));
      }
      Date next = single.getNextUpdate();
      Instant nextUpdate = next == null ? now.plus(MAX_REFRESH) : next.toInstant();
      Duration half = Duration.between(now, nextUpdate).dividedBy(2);
      Duration wait = half.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : half.compareTo(MAX_REFRESH) > 0 ? MAX_REFRESH : half;
      logger.debug("OCSP: stapling {}'s response for {} until {}", responder, leaf.getSubjectX500Principal().getName(), nextUpdate);
      return new Staple(resp.getEncoded(), nextUpdate, now.plus(wait));
    } catch (IOException | OCSPException | OperatorCreationException | CertificateEncodingException e) {
      logger.warn("OCSP: cannot get a response from {} for {}: {}; {}", responder, leaf.getSubjectX500Principal().getName(),
          e.getMessage() == null ? e.toString() : e.getMessage(), previous != null && previous.der() != null ? "keeping the last one until " + previous.nextUpdate()
              : "nothing stapled");
      return previous == null ? new Staple(null, null, now.plus(RETRY))
          : new Staple(previous.der(), previous.nextUpdate(), now.plus(RETRY));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return previous == null ? new Staple(null, null, now.plus(RETRY)) : previous;
    }
  }

  /** The OCSP responder the certificate names, or null. */
  static @Nullable URI responderOf(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (ext == null) {
      return null;
    }
    try {
      AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
          ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets()));
      for (AccessDescription d : aia.getAccessDescriptions()) {
        if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
            && d.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
          return URI.create(d.getAccessLocation().getName().toString());
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
    return null;
  }
}
