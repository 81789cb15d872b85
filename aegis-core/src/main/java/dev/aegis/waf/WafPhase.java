package dev.aegis.waf;

import dev.aegis.config.WafPolicy;
import dev.aegis.pipeline.Outcome;
import dev.aegis.pipeline.Phase;
import dev.aegis.pipeline.ProxyError;
import dev.aegis.pipeline.RequestHead;
import dev.aegis.pipeline.RequestRecord;

/**
 * The WAF on the request line and headers, with the matched route's policy (mode, paranoia, threshold,
 * exclusions). Writes score and matches into the record (the audit log reads them there) and answers 403 when
 * the route blocks and the score reaches its threshold. Body inspection is a later phase.
 */
public final class WafPhase implements Phase {
    private static final byte[] NO_BODY = new byte[0];
    private final WafEngine engine;

    public WafPhase(WafEngine engine) {
        this.engine = engine;
    }

    @Override
    public String name() {
        return "waf";
    }

    @Override
    public Outcome apply(RequestHead head, RequestRecord record) {
        WafPolicy policy = record.route == null ? null : record.route.config().waf();
        if (policy == null || policy.mode() == WafPolicy.WafMode.OFF) {
            return Outcome.proceed();
        }
        WafDecision decision = engine.inspect(
                new InspectionInput(head.method(), head.uri(), head.headerList(), NO_BODY, false,
                        record.clientIp == null ? record.peerAddress : record.clientIp), policy);
        record.wafScore = decision.score();
        record.wafMatches = decision.matches();
        return decision.blocked() ? Outcome.fail(new ProxyError.Blocked(decision.score())) : Outcome.proceed();
    }
}
