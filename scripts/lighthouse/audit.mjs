// One Lighthouse accessibility audit: node audit.mjs URL desktop|mobile OUT.json [COOKIE_NAME COOKIE_VALUE]
// Lighthouse's --extra-headers cannot sign in a Blazor Server page: the header reaches the page's HTTP requests but
// not the circuit's WebSocket, whose unauthenticated circuit then sends the browser to sign-in. A real cookie in
// the browser reaches both, so puppeteer sets it and Lighthouse audits that page without resetting storage.
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

const [url, formFactor, out, cookieName, cookieValue] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  if (cookieName) {
    const cookie = { name: cookieName, value: cookieValue, url, httpOnly: true };
    await (browser.setCookie ? browser.setCookie(cookie) : page.setCookie(cookie));
  }
  const flags = { onlyCategories: ['accessibility'], disableStorageReset: true, logLevel: 'error', output: 'json' };
  const config = formFactor === 'desktop' ? desktopConfig : undefined;
  const result = await lighthouse(url, flags, config, page);
  fs.writeFileSync(out, result.report);
} finally {
  await browser.close();
}
