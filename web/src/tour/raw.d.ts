// Vite's `?raw` import: a file's text as a string (the tour shows the clients' own source).
declare module '*?raw' {
  const text: string;
  export default text;
}
