// The City page's tab: every module of the page adds its nodes to it.
export const z = 'cg-tab-city';
