package dev.healthcheckoperator.operator.dependent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.healthcheckoperator.operator.crd.v1alpha1.CaBundleRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpBody;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpHeader;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsOptions;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * The Secret and ConfigMap keys the checks read (header values, request bodies, CA bundles, client certificates of
 * httpGet, grpc and tlsCertificate checks), and how the
 * sidecar pod mounts them: one read-only volume per referenced object, holding only the keys named, files mode
 * 0400, at {@code <dir>/<object name>/<key>}. The checks file carries only these paths, so no value ever reaches
 * the pod template; the kubelet updates mounted files when the object changes, and the sidecar reads them before each
 * probe. The pod template names objects and keys, never their content: a changed Secret rolls nothing, a changed
 * reference does.
 */
public final class MountedReferences {

    public static final String SECRETS_DIR = "/var/run/secrets/healthcheck-operator/refs";
    public static final String CONFIG_MAPS_DIR = "/var/run/healthcheck-operator/refs";
    /** Readable by the owner only; with the pod's fsGroup the kubelet adds group read for the sidecar's group. */
    static final int FILE_MODE = 0400;
    /** The keys of a kubernetes.io/tls Secret. */
    public static final String TLS_CERT_KEY = "tls.crt";
    public static final String TLS_KEY_KEY = "tls.key";

    /** What holds a referenced key. */
    public enum Kind {
        SECRET("Secret", SECRETS_DIR, "secret-"),
        CONFIG_MAP("ConfigMap", CONFIG_MAPS_DIR, "configmap-");

        private final String displayName;
        private final String dir;
        private final String volumePrefix;

        Kind(String displayName, String dir, String volumePrefix) {
            this.displayName = displayName;
            this.dir = dir;
            this.volumePrefix = volumePrefix;
        }

        public String displayName() {
            return displayName;
        }
    }

    /** One key a check reads, and the spec field that names it. */
    public record Reference(Kind kind, String name, String key, String field) {

        /** Where the sidecar finds it. */
        public String path() {
            return MountedReferences.path(kind, name, key);
        }
    }

    private MountedReferences() {
    }

    public static String path(Kind kind, String name, String key) {
        return kind.dir + "/" + name + "/" + key;
    }

    /** Every referenced key, in the order of the spec. */
    public static List<Reference> of(HealthCheckSpec spec) {
        List<Reference> references = new ArrayList<>();
        List<CheckSpec> checks = spec.getChecks() == null ? List.of() : spec.getChecks();
        for (int i = 0; i < checks.size(); i++) {
            CheckSpec check = checks.get(i);
            String at = "spec.checks[" + i + "].";
            if (check.getHttpGet() != null) {
                List<HttpHeader> headers = check.getHttpGet().getHttpHeaders() == null ? List.of()
                        : check.getHttpGet().getHttpHeaders();
                for (int h = 0; h < headers.size(); h++) {
                    HttpHeader header = headers.get(h);
                    if (header.getValueFrom() != null && header.getValueFrom().getSecretKeyRef() != null) {
                        references.add(new Reference(Kind.SECRET, header.getValueFrom().getSecretKeyRef().getName(),
                                header.getValueFrom().getSecretKeyRef().getKey(),
                                at + "httpGet.httpHeaders[" + h + "].valueFrom.secretKeyRef"));
                    }
                }
                SecretKeyRef body = bodySecret(check.getHttpGet().getBody());
                if (body != null) {
                    references.add(new Reference(Kind.SECRET, body.getName(), body.getKey(),
                            at + "httpGet.body.valueFrom.secretKeyRef"));
                }
                addTls(at + "httpGet.tls.", check.getHttpGet().getTls(), references);
            }
            if (check.getGrpc() != null) {
                addTls(at + "grpc.tls.", check.getGrpc().getTls(), references);
            }
            if (check.getTlsCertificate() != null) {
                addTls(at + "tlsCertificate.tls.", check.getTlsCertificate().getTls(), references);
            }
        }
        return references;
    }

    /** The Secret key a request body is read from, or null for a body written in the HealthCheck (or none). */
    public static SecretKeyRef bodySecret(HttpBody body) {
        return body == null || body.getValueFrom() == null ? null : body.getValueFrom().getSecretKeyRef();
    }

    /** Adds the keys one set of TLS options reads (for every check kind that has them). */
    public static void addTls(String at, TlsOptions tls, List<Reference> references) {
        if (tls == null) {
            return;
        }
        CaBundleRef ca = tls.getCaBundleRef();
        if (ca != null && ca.getConfigMapKeyRef() != null) {
            references.add(new Reference(Kind.CONFIG_MAP, ca.getConfigMapKeyRef().getName(),
                    ca.getConfigMapKeyRef().getKey(), at + "caBundleRef.configMapKeyRef"));
        } else if (ca != null && ca.getSecretKeyRef() != null) {
            references.add(new Reference(Kind.SECRET, ca.getSecretKeyRef().getName(), ca.getSecretKeyRef().getKey(),
                    at + "caBundleRef.secretKeyRef"));
        }
        if (tls.getClientCertificateSecretRef() != null) {
            String name = tls.getClientCertificateSecretRef().getName();
            for (String key : List.of(TLS_CERT_KEY, TLS_KEY_KEY)) {
                references.add(new Reference(Kind.SECRET, name, key, at + "clientCertificateSecretRef"));
            }
        }
    }

    /** The keys of each referenced object, objects and keys sorted so that the pod template is stable. */
    private static Map<Kind, Map<String, SortedSet<String>>> keysByObject(HealthCheckSpec spec) {
        Map<Kind, Map<String, SortedSet<String>>> objects = new TreeMap<>();
        for (Reference reference : of(spec)) {
            objects.computeIfAbsent(reference.kind(), k -> new TreeMap<>())
                    .computeIfAbsent(reference.name(), n -> new TreeSet<>()).add(reference.key());
        }
        return objects;
    }

    static List<Volume> volumes(HealthCheckSpec spec) {
        List<Volume> volumes = new ArrayList<>();
        keysByObject(spec).forEach((kind, objects) -> objects.forEach((name, keys) -> {
            List<KeyToPath> items = keys.stream().map(k -> new KeyToPathBuilder().withKey(k).withPath(k).build())
                    .toList();
            VolumeBuilder volume = new VolumeBuilder().withName(volumeName(kind, name));
            volumes.add(kind == Kind.SECRET
                    ? volume.withNewSecret().withSecretName(name).withItems(items).withDefaultMode(FILE_MODE)
                            .endSecret().build()
                    : volume.withNewConfigMap().withName(name).withItems(items).withDefaultMode(FILE_MODE)
                            .endConfigMap().build());
        }));
        return volumes;
    }

    static List<VolumeMount> mounts(HealthCheckSpec spec) {
        List<VolumeMount> mounts = new ArrayList<>();
        keysByObject(spec).forEach((kind, objects) -> objects.keySet().forEach(name -> mounts.add(
                new VolumeMountBuilder().withName(volumeName(kind, name)).withMountPath(kind.dir + "/" + name)
                        .withReadOnly(true).build())));
        return mounts;
    }

    /**
     * A volume name is a DNS label of at most 63 characters, an object name a DNS subdomain of up to 253: a digest
     * of the name keeps it short and unique, whatever dots it holds.
     */
    static String volumeName(Kind kind, String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return kind.volumePrefix + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
