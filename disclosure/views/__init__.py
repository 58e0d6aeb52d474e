"""The public site's views, split by who reads them (the rules they show live on the models):

- catalogue.py     事前公开 pages and the home page (anonymous, cached by section);
- publications.py  事后公开: the list and search, a decision's page and print view, 纠错 (anonymous);
- feeds.py         the Atom feed and the open data (anonymous);
- embed.py         the views the county government's portal frames (anonymous, framed by configured origins);
- statistics.py    the published annual statistics and the live figures (anonymous);
- verify.py        事中公示: certificate and document checks (anonymous);
- staff.py         the review of publications, 纠错 answers, publishing the statistics, certificate QR codes;
- cards.py         the printable 核验卡 of a certificate (its holder, admins);
- credit.py        the credit-system export (staff);
- pages.py         what the public pages share: the page layout and the whole-page cache.
"""
