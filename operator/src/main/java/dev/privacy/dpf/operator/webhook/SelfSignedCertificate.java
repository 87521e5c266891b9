package dev.privacy.dpf.operator.webhook;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed serving certificate for the webhook server (Bouncy Castle), for clusters without
 * cert-manager: its PEM goes into the webhook configurations' {@code caBundle}.
 *
 * @param certificate the certificate
 * @param keyPair its key pair
 */
public record SelfSignedCertificate(X509Certificate certificate, KeyPair keyPair) {

  /** A certificate for {@code dnsNames} (the first is the subject), valid for {@code validity}. */
  public static SelfSignedCertificate generate(List<String> dnsNames, Duration validity) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(256, new SecureRandom());
      KeyPair kp = gen.generateKeyPair();
      X500Name subject = new X500Name("CN=" + dnsNames.get(0));
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, new SecureRandom()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(validity)),
              subject,
              kp.getPublic());
      GeneralName[] names =
          dnsNames.stream()
              .map(n -> new GeneralName(GeneralName.dNSName, n))
              .toArray(GeneralName[]::new);
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
      return new SelfSignedCertificate(cert, kp);
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate the webhook certificate: " + e, e);
    }
  }

  /** A key store holding the key and certificate under {@code alias}, with {@code password}. */
  public KeyStore keyStore(String alias, char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          alias,
          keyPair.getPrivate(),
          password,
          new java.security.cert.Certificate[] {certificate});
      return ks;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the key store: " + e, e);
    }
  }

  /** The certificate in PEM, as a caBundle wants it (before base64). */
  public String pem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
