/** The languages the page speaks. Its own module: the page's browser code imports it too. */
export type Lang = 'es' | 'en';
