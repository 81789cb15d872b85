package dev.aegis.load;

import static io.gatling.javaapi.core.CoreDsl.rampUsers;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/** The reference's load scenario: 5.5 minutes, ramping to 200 concurrent users over the first minute. */
public class LoadSimulation extends Simulation {
    {
        setUp(ShopTraffic.shop("load").injectOpen(rampUsers(200).during(Duration.ofMinutes(1))))
                .protocols(ShopTraffic.protocol())
                .maxDuration(Duration.ofSeconds(330))
                .assertions(ShopTraffic.referenceThresholds());
    }

    @Override
    public void after() {
        ShopTraffic.printCacheShare();
    }
}
