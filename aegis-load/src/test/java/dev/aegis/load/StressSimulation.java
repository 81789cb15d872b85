package dev.aegis.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The reference's stress scenario: 5 minutes, ramping to 1,000 concurrent users over 4 minutes, well past where
 * this machine saturates (one node and the load generator share 2 cores), then holding. Latency grows with the
 * queue, so the thresholds are looser than the reference's; what must hold is that the node keeps answering and
 * keeps blocking: errors under 5 %, p99 under 5 s, no attack let through.
 */
public class StressSimulation extends Simulation {
    {
        setUp(ShopTraffic.shop("stress").injectOpen(rampUsers(1000).during(Duration.ofMinutes(4))))
                .protocols(ShopTraffic.protocol())
                .maxDuration(Duration.ofMinutes(5))
                .assertions(
                        global().responseTime().percentile(99.0).lt(5000),
                        global().failedRequests().percent().lt(5.0),
                        details(ShopTraffic.ATTACK).failedRequests().percent().lt(1.0));
    }

    @Override
    public void after() {
        ShopTraffic.printCacheShare();
    }
}
