/** Pages of accounts: sign in, first-owner setup, setting a password, the admin home and account. */
import { AdminShell } from '../web/admin-shell.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import { PASSWORD_MIN_LENGTH } from './model.js';
import type { ApiToken, Member } from './store.js';

function Problem({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="alert" role="alert" id="form-problem">
      {message}
    </p>
  );
}

export function SignInPage(props: {
  ctx: PageContext;
  email?: string;
  next?: string;
  problem?: string;
  notice?: string;
}) {
  return (
    <>
      <h1>Sign in</h1>
      {props.notice && <p class="notice">{props.notice}</p>}
      <Problem message={props.problem} />
      <form
        method="post"
        action="/signin"
        class="stacked"
        aria-describedby={props.problem ? 'form-problem' : undefined}
      >
        <CsrfField ctx={props.ctx} />
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <label>
          E-mail address
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={props.email ?? ''}
          />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <p class="muted">Forgotten your password? Ask the site's owner for a new link.</p>
    </>
  );
}

function PasswordFields() {
  return (
    <>
      <label>
        Password
        <span class="hint">
          At least {PASSWORD_MIN_LENGTH} characters. A few unrelated words make a good one.
        </span>
        <input
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN_LENGTH}
        />
      </label>
      <label>
        Password again
        <input
          type="password"
          name="confirm"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN_LENGTH}
        />
      </label>
    </>
  );
}

export function SetupPage(props: {
  ctx: PageContext;
  token: string;
  email?: string;
  name?: string;
  problem?: string;
}) {
  return (
    <>
      <h1>Set up {props.ctx.siteName}</h1>
      <p>
        You are creating the site's owner account. The owner can add members and change every
        setting.
      </p>
      <Problem message={props.problem} />
      <form method="post" action={`/setup/${props.token}`} class="stacked">
        <CsrfField ctx={props.ctx} />
        <label>
          Your name
          <input
            type="text"
            name="name"
            autoComplete="name"
            required
            value={props.name ?? ''}
            maxLength={200}
          />
        </label>
        <label>
          E-mail address
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={props.email ?? ''}
          />
        </label>
        <PasswordFields />
        <button type="submit">Create the owner account</button>
      </form>
    </>
  );
}

export function PasswordPage(props: {
  ctx: PageContext;
  token: string;
  email: string;
  problem?: string;
}) {
  return (
    <>
      <h1>Choose a password</h1>
      <p>
        For <strong>{props.email}</strong>. Setting it signs this account out everywhere else.
      </p>
      <Problem message={props.problem} />
      <form method="post" action={`/password/${props.token}`} class="stacked">
        <CsrfField ctx={props.ctx} />
        <input type="hidden" name="email" value={props.email} autoComplete="username" />
        <PasswordFields />
        <button type="submit">Set the password</button>
      </form>
    </>
  );
}

export function AdminHomePage({ ctx }: { ctx: PageContext }) {
  const viewer = ctx.viewer;
  return (
    <AdminShell ctx={ctx} heading="Dashboard">
      <p>
        Welcome, {viewer?.name}. You are signed in as <strong>{viewer?.role}</strong> of{' '}
        {ctx.siteName}.
      </p>
      <p class="empty-state">
        There is nothing waiting for you. Drafts to review, comments to moderate and signatures to
        check will appear here.
      </p>
    </AdminShell>
  );
}

export function AccountPage(props: {
  ctx: PageContext;
  tokens: ApiToken[];
  newToken?: { name: string; token: string };
  notice?: string;
  problem?: string;
}) {
  const { ctx, tokens, newToken } = props;
  const active = tokens.filter((token) => !token.revokedAt);
  return (
    <AdminShell ctx={ctx} heading="Your account">
      <p>
        {ctx.viewer?.name} · {ctx.viewer?.email} · {ctx.viewer?.role}
      </p>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <Problem message={props.problem} />
      <h2 id="tokens">Personal API tokens</h2>
      <p class="muted">
        A token acts with your permissions. Send it as <code>Authorization: Bearer …</code>. Revoke
        any token you no longer use.
      </p>
      {newToken && (
        <div class="notice" role="status">
          <p>
            Your new token <strong>{newToken.name}</strong>. Copy it now: it will not be shown
            again.
          </p>
          <code class="secret" id="new-token">
            {newToken.token}
          </code>
          <button type="button" class="secondary" data-copy="new-token" hidden>
            Copy
          </button>
        </div>
      )}
      {active.length === 0 ? (
        <p class="empty-state">
          You have no API tokens. Create one for a script or an integration.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {active.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>{token.hint}…</code>
                </td>
                <td>
                  <time dateTime={token.createdAt.toISOString()}>
                    {formatDate(token.createdAt)}
                  </time>
                </td>
                <td>
                  {token.lastUsedAt ? (
                    <time dateTime={token.lastUsedAt.toISOString()}>
                      {formatDate(token.lastUsedAt)}
                    </time>
                  ) : (
                    'never'
                  )}
                </td>
                <td>
                  <form
                    method="post"
                    action={`/admin/account/tokens/${token.id}/revoke`}
                    class="inline-form"
                  >
                    <CsrfField ctx={ctx} />
                    <button
                      type="submit"
                      class="secondary"
                      data-confirm={`Revoke the token "${token.name}"?`}
                    >
                      Revoke<span class="visually-hidden"> {token.name}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Create a token</h3>
      <form method="post" action="/admin/account/tokens" class="stacked">
        <CsrfField ctx={ctx} />
        <label>
          Name
          <span class="hint">What it is for, e.g. "import script".</span>
          <input type="text" name="name" required maxLength={100} />
        </label>
        <button type="submit">Create token</button>
      </form>
    </AdminShell>
  );
}

export function MembersPage({ ctx, members }: { ctx: PageContext; members: Member[] }) {
  return (
    <AdminShell ctx={ctx} heading="Members">
      <p class="muted">
        Add members with <code>broadside user add --email … --role …</code>; each receives a
        one-time link to set a password.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Can sign in</th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.id}>
              <td>{member.displayName}</td>
              <td>{member.email}</td>
              <td>{member.role}</td>
              <td>{member.hasPassword ? 'yes' : 'not yet: password link not used'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminShell>
  );
}

function formatDate(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
