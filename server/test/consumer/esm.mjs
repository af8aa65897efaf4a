const server = await import('@news-forum/server');
console.log(JSON.stringify({ exports: Object.keys(server).sort() }));
