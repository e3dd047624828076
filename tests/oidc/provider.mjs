// A real OpenID Connect provider for the portal's browser tests (npm oidc-provider).
// PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI and POST_LOGOUT_URI come from the test.
// Any login name is accepted (the provider's dev interactions); claims are ProConnect's.
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const accounts = {
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({
      sub,
      email: `${sub}@crest.fr`,
      given_name: "Camille",
      usual_name: "Martin",
      siret: process.env.SIRET || "21260108200011",
      uid: sub,
    }),
  }),
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      post_logout_redirect_uris: [process.env.POST_LOGOUT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email"],
    given_name: ["given_name"],
    usual_name: ["usual_name"],
    siret: ["siret"],
    uid: ["uid"],
  },
  scopes: ["openid", "email", "given_name", "usual_name", "siret", "uid"],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  // Consent is implied: the test signs in as an élu who already agreed.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email given_name usual_name siret uid");
    await grant.save();
    return grant;
  },
  findAccount: accounts.findAccount,
  cookies: { keys: ["deformations-test-oidc-cookie-key"] },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
