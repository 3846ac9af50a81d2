package dev.healthcheckoperator.clustertests;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code hack/local-cluster.sh up} with no node kind asked for, on a machine whose runc refuses to run a container
 * (the shared cluster of this run is started that way, see {@link LocalCluster}): it must not fail, nor start a
 * kubelet that can run nothing, but fall back to kwok's fake node and say why.
 */
@ClusterTest
class NodeFallbackIT {

    @Test
    void aMachineThatCannotRunContainersGetsKwokWithTheReason(LocalCluster cluster) {
        assertThat(cluster.firstUpOutput())
                .contains("this machine cannot run containers (")
                .contains("): using kwok's fake node instead (HC_NODE=kwok)");
        assertThat(cluster.env()).contains("# node: kwok");
        assertThat(cluster.kubectl().ok("get", "nodes", "-o", "name").strip().lines())
                .isNotEmpty().allMatch(node -> node.startsWith("node/kwok-node-"));
    }
}
