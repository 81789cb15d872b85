package dev.aegis.load;

import static io.gatling.javaapi.core.CoreDsl.rampUsers;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/** The reference's quick scenario: one minute, ramping to 200 concurrent users over the first 20 s. */
public class QuickSimulation extends Simulation {
    {
        setUp(ShopTraffic.shop("quick").injectOpen(rampUsers(200).during(Duration.ofSeconds(20))))
                .protocols(ShopTraffic.protocol())
                .maxDuration(Duration.ofMinutes(1))
                .assertions(ShopTraffic.referenceThresholds());
    }

    @Override
    public void after() {
        ShopTraffic.printCacheShare();
    }
}
