-- Two more kinds of actor in the audit trail, beside the provider's
-- tools ('api'), its web sessions ('web') and the operator:
-- 'self-service', the end user of a link on its self-service page (the
-- address is theirs, there is no session), and 'server', the server
-- itself freeing the slots of devices past their link's expire_days (no
-- session, no address).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_check
	CHECK (actor IN ('api', 'web', 'operator', 'self-service', 'server'));
