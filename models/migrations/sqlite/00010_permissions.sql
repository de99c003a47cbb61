-- +goose Up
-- Roles and permissions as OTRS has them (issue 7), and what the admin
-- interface keeps beside them.
--
-- Queues belong to groups; a role grants permissions on groups; agents get
-- roles (and may get permissions on groups directly). The permissions are
-- OTRS's: ro, move_into, create, note, owner, priority, rw (rw is all).
-- An admin role is every permission on every queue of its tenant plus the
-- admin interface. The operator tenant (the kiz, which runs the desk) may
-- also administer tenants, ticket types and priorities.
ALTER TABLE tenants ADD COLUMN operator BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tenants ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE tenants SET operator = TRUE WHERE id = (SELECT min(id) FROM tenants);

CREATE TABLE groups (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, name)
);

CREATE TABLE roles (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    is_admin   BOOLEAN NOT NULL DEFAULT FALSE,
    comment    TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, name)
);

CREATE TABLE role_permissions (
    role_id  BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    perm     TEXT NOT NULL,
    PRIMARY KEY (role_id, group_id, perm)
);

-- source says who gave the role: 'manual' (an admin) or 'ldap' (group
-- mapping at login). A login replaces only its own rows, so a role given
-- by hand survives every later login.
CREATE TABLE agent_roles (
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    role_id  BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    source   TEXT NOT NULL DEFAULT 'manual',
    PRIMARY KEY (agent_id, role_id, source)
);
CREATE INDEX agent_roles_role ON agent_roles (role_id);

CREATE TABLE agent_permissions (
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    perm     TEXT NOT NULL,
    PRIMARY KEY (agent_id, group_id, perm)
);

-- LDAP group (its cn) → role, applied at each LDAP login.
CREATE TABLE ldap_role_mappings (
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    ldap_group TEXT NOT NULL,
    role_id    BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, ldap_group, role_id)
);

ALTER TABLE queues ADD COLUMN group_id BIGINT REFERENCES groups(id);
-- What a mail to a closed ticket does after its follow-up window:
-- 'reopen' (within FollowUpDays), 'reject' (a notice, no change) or
-- 'new' (a new ticket).
ALTER TABLE queues ADD COLUMN follow_up TEXT NOT NULL DEFAULT 'reopen';
ALTER TABLE queues ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE queues ADD COLUMN comment TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE services ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_types ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE priorities ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

-- Where an agent comes from: 'local' (password here) or 'ldap' (the kiz
-- directory checks the password; no hash kept).
ALTER TABLE agents ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE agents ADD COLUMN phone TEXT NOT NULL DEFAULT '';

CREATE TABLE customer_companies (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, name)
);
ALTER TABLE customers ADD COLUMN company_id BIGINT REFERENCES customer_companies(id);
ALTER TABLE customers ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE customers ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE signatures (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    body_de    TEXT NOT NULL DEFAULT '',
    body_en    TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, name)
);
ALTER TABLE queues ADD COLUMN signature_id BIGINT REFERENCES signatures(id);

CREATE TABLE standard_responses (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    body_de    TEXT NOT NULL DEFAULT '',
    body_en    TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, name)
);
CREATE TABLE standard_response_queues (
    response_id BIGINT NOT NULL REFERENCES standard_responses(id) ON DELETE CASCADE,
    queue_id    BIGINT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    PRIMARY KEY (response_id, queue_id)
);

-- Every change in the admin interface: who, when, what, before and after
-- (JSON). Append-only like the ticket history.
CREATE TABLE admin_audit (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    agent_id   BIGINT REFERENCES agents(id),
    agent_name TEXT NOT NULL,
    object     TEXT NOT NULL,
    object_id  BIGINT NOT NULL,
    action     TEXT NOT NULL,
    old_value  TEXT NOT NULL DEFAULT '',
    new_value  TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX admin_audit_tenant ON admin_audit (tenant_id, created_at);

-- Existing installations: one group per queue, named like it, and the
-- predefined roles, with the agents' old single role turned into them:
--   admin          every permission on every queue (is_admin);
--   1st level      rw on 1st-level queues, move_into on the others
--                  (escalate without reading afterwards);
--   2nd level: Q   rw on its queue Q, move_into on every other queue of
--                  its tenant (hand back, pass on);
--   a team queue   rw on it, move_into on the 1st- and 2nd-level queues.
-- Old '2nd level' agents saw every 2nd-level queue; they get each
-- 2nd-level role. A team agent gets its team's role.
INSERT INTO groups (tenant_id, name) SELECT tenant_id, name FROM queues;
UPDATE queues SET group_id = (SELECT g.id FROM groups g WHERE g.tenant_id = queues.tenant_id AND g.name = queues.name);

INSERT INTO roles (tenant_id, name, is_admin) SELECT id, 'admin', TRUE FROM tenants;
INSERT INTO roles (tenant_id, name) SELECT id, '1st level' FROM tenants;
INSERT INTO roles (tenant_id, name) SELECT tenant_id, '2nd level: ' || name FROM queues WHERE level = '2nd level';
INSERT INTO roles (tenant_id, name) SELECT tenant_id, name FROM queues WHERE level = 'team';

INSERT INTO role_permissions (role_id, group_id, perm)
SELECT r.id, q.group_id, CASE WHEN q.level = '1st level' THEN 'rw' ELSE 'move_into' END
FROM roles r JOIN queues q ON q.tenant_id = r.tenant_id WHERE r.name = '1st level';
INSERT INTO role_permissions (role_id, group_id, perm)
SELECT r.id, q.group_id, CASE WHEN r.name = '2nd level: ' || q.name THEN 'rw' ELSE 'move_into' END
FROM roles r JOIN queues q ON q.tenant_id = r.tenant_id WHERE r.name LIKE '2nd level: %';
INSERT INTO role_permissions (role_id, group_id, perm)
SELECT r.id, q.group_id, CASE WHEN q.name = r.name THEN 'rw' ELSE 'move_into' END
FROM roles r JOIN queues t ON t.tenant_id = r.tenant_id AND t.name = r.name AND t.level = 'team'
JOIN queues q ON q.tenant_id = r.tenant_id AND (q.id = t.id OR q.level <> 'team');

INSERT INTO agent_roles (agent_id, role_id)
SELECT a.id, r.id FROM agents a JOIN roles r ON r.tenant_id = a.tenant_id
WHERE (a.role = 'admin' AND r.name = 'admin')
   OR (a.role = '1st level' AND r.name = '1st level')
   OR (a.role = '2nd level' AND r.name LIKE '2nd level: %')
   OR (a.role = 'team' AND r.name = a.team AND a.team <> '');

ALTER TABLE agents DROP COLUMN role;
ALTER TABLE agents DROP COLUMN team;

-- +goose Down
ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT '1st level';
ALTER TABLE agents ADD COLUMN team TEXT NOT NULL DEFAULT '';
DROP TABLE admin_audit;
DROP TABLE standard_response_queues;
DROP TABLE standard_responses;
ALTER TABLE queues DROP COLUMN signature_id;
DROP TABLE signatures;
ALTER TABLE customers DROP COLUMN active;
ALTER TABLE customers DROP COLUMN source;
ALTER TABLE customers DROP COLUMN department;
ALTER TABLE customers DROP COLUMN phone;
ALTER TABLE customers DROP COLUMN company_id;
DROP TABLE customer_companies;
ALTER TABLE agents DROP COLUMN phone;
ALTER TABLE agents DROP COLUMN source;
ALTER TABLE priorities DROP COLUMN active;
ALTER TABLE ticket_types DROP COLUMN active;
ALTER TABLE services DROP COLUMN description;
ALTER TABLE services DROP COLUMN active;
ALTER TABLE queues DROP COLUMN comment;
ALTER TABLE queues DROP COLUMN active;
ALTER TABLE queues DROP COLUMN follow_up;
ALTER TABLE queues DROP COLUMN group_id;
DROP TABLE ldap_role_mappings;
DROP TABLE agent_permissions;
DROP TABLE agent_roles;
DROP TABLE role_permissions;
DROP TABLE roles;
DROP TABLE groups;
ALTER TABLE tenants DROP COLUMN active;
ALTER TABLE tenants DROP COLUMN operator;
