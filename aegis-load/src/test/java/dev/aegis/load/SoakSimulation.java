package dev.aegis.load;

import static io.gatling.javaapi.core.CoreDsl.rampUsers;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The reference's soak scenario: 40 minutes at 200 concurrent users (ramped over the first minute), held to the
 * reference's thresholds; {@code ./scripts/load soak} also prints the node's resident memory at the start and the
 * end, since a leak is what a soak is for.
 */
public class SoakSimulation extends Simulation {
    {
        setUp(ShopTraffic.shop("soak").injectOpen(rampUsers(200).during(Duration.ofMinutes(1))))
                .protocols(ShopTraffic.protocol())
                .maxDuration(Duration.ofMinutes(40))
                .assertions(ShopTraffic.referenceThresholds());
    }

    @Override
    public void after() {
        ShopTraffic.printCacheShare();
    }
}
