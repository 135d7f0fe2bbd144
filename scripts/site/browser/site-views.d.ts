/**
 * The widget kit's own browser views (widgets/frontend/src), resolved at bundle time by the site build:
 * an empty module when this checkout has none.
 */
declare module "deepviz-site-views" {
  export const MODULE_NAME: string | undefined;
}
