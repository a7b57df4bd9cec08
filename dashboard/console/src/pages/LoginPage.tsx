/**
 * The token form. A plain POST to /admin/login: the token goes in the body, never in a URL, and the
 * answer sets the HttpOnly session cookie, so no script ever holds the token after this page.
 */
export function LoginPage() {
  const failed = new URLSearchParams(location.search).get('login') === 'failed';
  return (
    <main id="main" class="login">
      <h1>seatwise console</h1>
      <form id="login-form" method="post" action="/admin/login">
        <label for="token">API token or one-time login code</label>
        <input id="token" name="token" type="password" autocomplete="off" required />
        <button type="submit">Log in</button>
      </form>
      {failed && (
        <p class="notice error" role="alert">
          That token or code was not accepted.
        </p>
      )}
    </main>
  );
}
