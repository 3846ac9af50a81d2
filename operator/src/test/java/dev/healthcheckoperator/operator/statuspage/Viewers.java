package dev.healthcheckoperator.operator.statuspage;

import java.util.List;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * People who look at the status page, as the API server knows them: ServiceAccounts with a real token, bound to a
 * ClusterRole that may list HealthChecks, in one namespace (RoleBinding) or everywhere (ClusterRoleBinding).
 */
final class Viewers {

    static final String CLUSTER_ROLE = "status-page-test-healthcheck-viewer";

    private Viewers() {
    }

    /** A token of a ServiceAccount (created in namespace) that may list HealthChecks in that namespace only. */
    static String namespaceViewer(KubernetesClient admin, String namespace, String name) {
        ensureClusterRole(admin);
        createServiceAccount(admin, namespace, name);
        admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(CLUSTER_ROLE).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(namespace).endSubject()
                .build()).serverSideApply();
        return token(admin, namespace, name);
    }

    /** A token of a ServiceAccount that may list HealthChecks in every namespace. */
    static String clusterViewer(KubernetesClient admin, String namespace, String name) {
        ensureClusterRole(admin);
        createServiceAccount(admin, namespace, name);
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
                .withNewMetadata().withName(namespace + "-" + name).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(CLUSTER_ROLE).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(namespace).endSubject()
                .build()).serverSideApply();
        return token(admin, namespace, name);
    }

    /** A token of a ServiceAccount with no rights on HealthChecks at all. */
    static String nobody(KubernetesClient admin, String namespace, String name) {
        createServiceAccount(admin, namespace, name);
        return token(admin, namespace, name);
    }

    private static void ensureClusterRole(KubernetesClient admin) {
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(CLUSTER_ROLE)
                .endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("healthcheck-operator.dev")
                        .withResources("healthchecks").withVerbs(List.of("get", "list", "watch")).build())
                .build()).serverSideApply();
    }

    private static void createServiceAccount(KubernetesClient admin, String namespace, String name) {
        admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName(name).withNamespace(namespace).endMetadata().build()).serverSideApply();
    }

    private static String token(KubernetesClient admin, String namespace, String name) {
        return admin.serviceAccounts().inNamespace(namespace).withName(name)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
    }
}
