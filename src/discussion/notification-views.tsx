/** Pages of reply notifications: the confirmation and unsubscribe links' landing pages. */
import type { SubscriptionSummary } from './notifications.js';

/** Where "read the discussion" goes: the comment's permalink, which redirects to its page. */
const permalink = (commentId: string) => `/c/${encodeURIComponent(commentId)}`;

function BackToDiscussion({ summary }: { summary: SubscriptionSummary }) {
  return (
    <p>
      <a href={permalink(summary.commentId)}>Back to the discussion</a>
    </p>
  );
}

export function ConfirmedPage({ summary }: { summary: SubscriptionSummary }) {
  if (summary.state === 'ended') {
    return (
      <>
        <h1>These e-mails were stopped</h1>
        <p>
          You unsubscribed from replies to your comment on “{summary.threadTitle}”, so nothing more
          will be sent about it. To hear of replies again, ask for e-mails with your next comment.
        </p>
        <BackToDiscussion summary={summary} />
      </>
    );
  }
  return (
    <>
      <h1>Your address is confirmed</h1>
      <p>
        We will e-mail you when someone replies to your comment on “{summary.threadTitle}”. Each
        e-mail has a link to stop them.
      </p>
      <BackToDiscussion summary={summary} />
    </>
  );
}

/** The confirmation link's page: a button whose POST confirms (opening the link does not). */
export function ConfirmPage({
  summary,
  action,
}: {
  summary: SubscriptionSummary;
  /** The URL the button posts to (the link itself). */
  action: string;
}) {
  if (summary.state !== 'pending') return <ConfirmedPage summary={summary} />;
  return (
    <>
      <h1>Confirm e-mails about replies?</h1>
      <p>
        Someone asked for an e-mail to this address whenever a person replies to their comment on “
        {summary.threadTitle}”. If that was you, press the button. If not, close this page: nothing
        will be sent.
      </p>
      {/* No CSRF token: the secret link is the authority (the route is exempt, see its docs). */}
      <form method="post" action={action} class="stacked">
        <button type="submit">Yes, e-mail me replies</button>
      </form>
    </>
  );
}

export function UnsubscribePage({
  summary,
  action,
}: {
  summary: SubscriptionSummary;
  /** The URL the button posts to (the link itself). */
  action: string;
}) {
  if (summary.state === 'ended') return <UnsubscribedPage summary={summary} alreadyEnded />;
  return (
    <>
      <h1>Stop e-mails about replies?</h1>
      <p>
        You get an e-mail when someone replies to your comment on “{summary.threadTitle}”. Press the
        button to stop them.
      </p>
      {/* No CSRF token: the secret link is the authority (the route is exempt, see its docs). */}
      <form method="post" action={action} class="stacked">
        <button type="submit">Stop these e-mails</button>
      </form>
    </>
  );
}

export function UnsubscribedPage({
  summary,
  alreadyEnded = false,
}: {
  summary: SubscriptionSummary;
  alreadyEnded?: boolean;
}) {
  return (
    <>
      <h1>{alreadyEnded ? 'You were already unsubscribed' : 'You are unsubscribed'}</h1>
      <p role="status">
        No more e-mails will be sent about replies to your comment on “{summary.threadTitle}”. Your
        address has been removed from this subscription.
      </p>
      <BackToDiscussion summary={summary} />
    </>
  );
}
