// In Node, Lit's node build stands in for the DOM (as for server-side rendering).
const widget = await import('@news-forum/widget');
console.log(JSON.stringify({ exports: Object.keys(widget).sort(), defined: customElements.get('news-forum') === widget.NewsForum }));
