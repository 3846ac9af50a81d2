package dev.healthcheckoperator.operator.reconciler;

import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.dependent.DeploymentDependent;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Objects earlier releases made per HealthCheck and this one does not: a ServiceAccount {@code <name>-healthcheck}
 * (the sidecars now run as the namespace's default account and mount no token) and the checks-file ConfigMaps (the
 * checks file now travels in the pod template, see {@link SidecarNames#CHECKS_ANNOTATION}). After an upgrade they
 * would stay until their HealthCheck is deleted, so they are deleted here, once: when the sidecar Deployment still
 * names them, that is, just before the Deployment is moved off them (which, for an operator upgrade, may wait for its
 * turn: see RolloutPacer; until then the old pods keep what they mount).
 * <p>
 * Deleted before the Deployment is applied, not after: should a delete fail, the Deployment still names the object
 * and the retry tries again; once the Deployment no longer names it, nothing looks for it (and a HealthCheck that
 * never had one costs no request). An object the HealthCheck does not control is left alone. The old pods keep the
 * files they mounted while the new ones roll out; what is lost is a rollback to a ReplicaSet of an earlier release.
 */
public final class LegacyObjects {

    private static final Logger LOG = Logger.getLogger(LegacyObjects.class);

    private LegacyObjects() {
    }

    /** Called with the live Deployment just before it is updated. */
    public static void removeBeforeUpgrade(HealthCheck healthCheck, Deployment liveDeployment,
            Context<HealthCheck> context) {
        Optional<PodSpec> live = Optional.of(liveDeployment)
                .filter(deployment -> OwnedNames.controlledBy(deployment, healthCheck))
                .map(Deployment::getSpec).map(DeploymentSpec::getTemplate).map(PodTemplateSpec::getSpec);
        if (live.isEmpty()) {
            return;
        }
        String legacyAccount = SidecarNames.resourceName(healthCheck);
        if (legacyAccount.equals(live.get().getServiceAccountName())) {
            removeServiceAccount(healthCheck, legacyAccount, context);
        }
        boolean mountsConfigMap = live.get().getVolumes() != null && live.get().getVolumes().stream()
                .anyMatch(v -> DeploymentDependent.CONFIG_VOLUME.equals(v.getName()) && v.getConfigMap() != null);
        if (mountsConfigMap) {
            removeConfigMaps(healthCheck, context);
        }
    }

    private static void removeServiceAccount(HealthCheck healthCheck, String name, Context<HealthCheck> context) {
        String namespace = healthCheck.getMetadata().getNamespace();
        ServiceAccount account = context.getClient().serviceAccounts().inNamespace(namespace).withName(name).get();
        if (account != null && OwnedNames.controlledBy(account, healthCheck)) {
            context.getClient().resource(account).delete();
            LOG.infof("Deleted ServiceAccount %s/%s: the sidecars of HealthCheck %s now run as the default account",
                    namespace, name, healthCheck.getMetadata().getName());
        }
    }

    /** Every checks-file ConfigMap of the HealthCheck: the current one and those kept for old ReplicaSets. */
    private static void removeConfigMaps(HealthCheck healthCheck, Context<HealthCheck> context) {
        String namespace = healthCheck.getMetadata().getNamespace();
        List<ConfigMap> owned = context.getClient().configMaps().inNamespace(namespace)
                .withLabels(SidecarNames.labels(healthCheck)).list().getItems().stream()
                .filter(configMap -> OwnedNames.controlledBy(configMap, healthCheck))
                .toList();
        for (ConfigMap configMap : owned) {
            context.getClient().resource(configMap).delete();
        }
        if (!owned.isEmpty()) {
            LOG.infof("Deleted %d checks-file ConfigMap(s) of HealthCheck %s/%s: its pod template carries the file now",
                    owned.size(), namespace, healthCheck.getMetadata().getName());
        }
    }
}
